package io.peerlink.node.master;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Opening the chain log: reads the manifest and every segment in order, checks every record,
 * repairs what only a crash can have left (a torn final record, a half-created newest segment,
 * segments retention had decided to delete), and refuses everything else with the file and the
 * byte offset, leaving the bytes in place.
 */
final class ChainRecovery {
  private static final System.Logger LOG = System.getLogger(ChainRecovery.class.getName());

  /** What opening found: the segments in order, the manifest they satisfy, what was repaired. */
  record Loaded(List<Segment> segments, Manifest manifest, boolean manifestCurrent, RecoveryReport report) {}

  private ChainRecovery() {}

  /**
   * Loads the segments of {@code dir}. On failure every segment opened so far is closed.
   *
   * @throws CorruptLogException when the log is damaged where no crash can have torn it
   */
  static Loaded load(Path dir) throws IOException {
    TreeMap<Long, Path> files = segmentFiles(dir);
    Optional<Manifest> manifest = Manifest.read(dir);
    if (manifest.isPresent()) {
      checkAgainstManifest(dir, files, manifest.get());
    } else if (!files.isEmpty()) {
      LOG.log(Level.WARNING, "chain log " + dir + " has no " + Manifest.NAME + " (written by an earlier build, or"
          + " deleted): writing one for the " + files.size() + " segment(s) present; a segment lost before now"
          + " cannot be detected");
    }
    List<Segment> segments = new ArrayList<>();
    try {
      RecoveryReport report = scan(dir, files, manifest, segments);
      Manifest now = segments.isEmpty() ? null : new Manifest(segments.get(0).sequence,
          segments.get(segments.size() - 1).sequence, segments.get(segments.size() - 1).baseBlock);
      boolean current = manifest.isPresent() && manifest.get().equals(now);
      return new Loaded(segments, now, current, report);
    } catch (IOException | RuntimeException e) {
      for (Segment segment : segments) {
        try {
          segment.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static TreeMap<Long, Path> segmentFiles(Path dir) throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (Stream<Path> listing = Files.list(dir)) {
      listing.forEach(path -> {
        long sequence = Segment.sequenceOf(path.getFileName().toString());
        if (sequence >= 0) {
          files.put(sequence, path);
        }
      });
    }
    return files;
  }

  /**
   * Every segment the manifest keeps must be there; older ones are what a retention cut short
   * by a crash left behind, and are deleted now.
   */
  private static void checkAgainstManifest(Path dir, TreeMap<Long, Path> files, Manifest manifest) throws IOException {
    Path newest = dir.resolve(Segment.fileName(manifest.newestSequence()));
    if (!files.containsKey(manifest.newestSequence())) {
      throw new CorruptLogException(newest, 0, "the newest segment is missing: " + dir.resolve(Manifest.NAME)
          + " records it, holding the blocks after block " + Long.toUnsignedString(manifest.newestBaseBlock())
          + "; without it the master would serve a shorter chain than it confirmed");
    }
    for (long sequence = manifest.oldestSequence(); sequence < manifest.newestSequence(); sequence++) {
      if (!files.containsKey(sequence)) {
        throw new CorruptLogException(dir.resolve(Segment.fileName(sequence)), 0, "the segment is missing: "
            + dir.resolve(Manifest.NAME) + " keeps segments " + manifest.oldestSequence() + ".."
            + manifest.newestSequence());
      }
    }
    var leftovers = files.headMap(manifest.oldestSequence());
    for (Path leftover : leftovers.values()) {
      Files.delete(leftover);
      LOG.log(Level.INFO, "chain log: deleted " + leftover.getFileName() + ", which retention had let go before a restart");
    }
    if (!leftovers.isEmpty()) {
      ChainStore.forceDirectory(dir);
      leftovers.clear();
    }
  }

  private static RecoveryReport scan(Path dir, TreeMap<Long, Path> files, Optional<Manifest> manifest,
      List<Segment> segments) throws IOException {
    RecoveryReport recovery = RecoveryReport.CLEAN;
    long manifestNewest = manifest.map(Manifest::newestSequence).orElse(-1L);
    Long newestSequence = files.isEmpty() ? null : files.lastKey();
    for (var entry : files.entrySet()) {
      long sequence = entry.getKey();
      boolean newest = entry.getKey().equals(newestSequence);
      Path path = entry.getValue();
      Segment segment;
      try {
        segment = Segment.open(path, sequence);
      } catch (CorruptLogException e) {
        long size = Files.size(path);
        if (!newest || size > Segment.HEADER_BYTES || sequence <= manifestNewest) {
          // Records follow a header only once it was forced and the manifest named the segment:
          // a bad header with records after it, or on a segment the manifest names, is damage.
          throw e;
        }
        // A crash while a new segment was being created: its header never became durable, so
        // no record in it can have been reported applied.
        Files.delete(path);
        ChainStore.forceDirectory(dir);
        String detail = "discarded half-created segment " + path.getFileName() + " (" + size + " bytes): "
            + e.getMessage();
        LOG.log(Level.WARNING, "chain log " + detail);
        recovery = new RecoveryReport(size, detail);
        break;
      }
      segments.add(segment);
      if (manifest.isPresent() && sequence == manifestNewest
          && segment.baseBlock != manifest.get().newestBaseBlock()) {
        throw new CorruptLogException(path, 12, "the segment starts after block " + Long.toUnsignedString(segment.baseBlock)
            + " but " + Manifest.NAME + " records it starting after block "
            + Long.toUnsignedString(manifest.get().newestBaseBlock()) + ": it was replaced");
      }
      Segment.Damage damage = segment.scan();
      if (damage != null) {
        recovery = repairTail(path, segment, damage, newest);
      }
      if (sequence > manifestNewest && manifestNewest >= 0 && segment.blockCount() > 0) {
        throw new CorruptLogException(path, Segment.HEADER_BYTES, "the segment holds blocks but "
            + Manifest.NAME + " names segment " + manifestNewest + " as the newest: the manifest is older than the log");
      }
      if (segments.size() > 1) {
        Segment previous = segments.get(segments.size() - 2);
        // After a segment with no block, a later base is the chain's start (ChainBase), no gap.
        if (segment.baseBlock != previous.lastBlock() && previous.lastBlock() != 0) {
          throw new CorruptLogException("chain log " + path + " starts after block "
              + Long.toUnsignedString(segment.baseBlock) + " but " + previous.path.getFileName()
              + " ends at block " + Long.toUnsignedString(previous.lastBlock())
              + ": a segment file is missing or out of place; the files are left as they are. Move the storage"
              + " directory aside to start empty and catch up from peers, or restore it from a backup");
        }
      }
    }
    return recovery;
  }

  /** Cuts a torn final record off the newest segment; refuses any other damage. */
  private static RecoveryReport repairTail(Path path, Segment segment, Segment.Damage damage, boolean newest)
      throws IOException {
    if (!newest) {
      throw new CorruptLogException(path, damage.offset(), damage.problem() + " in a segment older than the newest");
    }
    String notTorn = TornTail.whyNotTorn(segment.bytesFrom(damage.offset()), damage.offset());
    if (notTorn != null) {
      throw new CorruptLogException(path, damage.offset(), damage.problem() + ", and it is no torn write: " + notTorn
          + ". Blocks up to " + Long.toUnsignedString(segment.lastBlock()) + " check out; to keep only those and drop"
          + " the rest, cut the file at that byte (truncate -s " + damage.offset() + " " + path + ")");
    }
    long cut = damage.fileSize() - damage.offset();
    String detail = path.getFileName() + ": torn tail at byte " + damage.offset() + " (" + damage.problem()
        + "), cut " + cut + " bytes; the chain ends at its last complete record, block "
        + Long.toUnsignedString(segment.lastBlock());
    LOG.log(Level.WARNING, "chain log " + detail);
    segment.truncateToEnd();
    return new RecoveryReport(cut, detail);
  }
}
