package io.peerlink.node.master;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A rollback of the chain log to block {@code toBlock} that is decided but maybe not done: the
 * redo record of {@code peerlink store rollback} ({@link ChainRollback}). Once it is durable the
 * rollback is as good as done: {@link #finish} carries it out, and every open of the store runs
 * that again first when a crash cut it short, since each step can be repeated.
 *
 * <pre>
 * ROLLBACK = "PLROLLB1" | u32 version(=1) | u64 toBlock | u64 oldestSequence | u64 sequence
 *          | u64 baseBlock | u64 cut | u32 crc32c(segment bytes 0..cut) | u32 n | n bytes (replacement)
 *          | u32 crc32c(all preceding bytes)
 * </pre>
 *
 * The steps: the manifest names segment {@code sequence} (starting after {@code baseBlock}) as the
 * newest; every later segment is deleted; that segment is cut at byte {@code cut}, a record
 * boundary; the replacement record (when block {@code toBlock} was inside a record: its blocks up
 * to {@code toBlock}, already encoded) is written there and forced; this file is deleted.
 *
 * @param toBlock the block the chain ends at afterwards
 * @param oldestSequence the oldest segment, which the manifest keeps naming
 * @param sequence the segment the chain ends in afterwards
 * @param baseBlock that segment's base block (its header's)
 * @param cut where that segment is cut
 * @param prefixCrc the CRC32C of its bytes before {@code cut}, so a repeat never cuts another file
 * @param replacement the record written at {@code cut}, header included; empty for none
 */
record RollbackIntent(long toBlock, long oldestSequence, long sequence, long baseBlock, long cut, int prefixCrc,
    byte[] replacement) {
  static final String NAME = "ROLLBACK";
  private static final String TEMPORARY = "ROLLBACK.tmp";
  private static final int VERSION = 1;
  private static final byte[] MAGIC = {'P', 'L', 'R', 'O', 'L', 'L', 'B', '1'};
  private static final int FIXED_BYTES = 8 + 4 + 8 * 5 + 4 + 4 + 4;
  private static final System.Logger LOG = System.getLogger(ChainStore.class.getName());

  /** Where a test stops a rollback as a crash would: after each step, nothing undone. */
  @FunctionalInterface
  interface Steps {
    Steps NONE = step -> { };

    void after(Step step) throws IOException;
  }

  /** The steps, in order; a crash after {@link #RECORDED} leaves a rollback every open finishes. */
  enum Step { RECORDED, MANIFEST, SEGMENTS_DELETED, CUT, REWRITTEN, DONE }

  /** Makes this intent durable: from here on the rollback is done, now or at the next open. */
  void record(Path dir) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(FIXED_BYTES + replacement.length);
    out.put(MAGIC).putInt(VERSION).putLong(toBlock).putLong(oldestSequence).putLong(sequence).putLong(baseBlock)
        .putLong(cut).putInt(prefixCrc).putInt(replacement.length).put(replacement);
    out.putInt(WalRecord.crc(out.array(), 0, out.position()));
    out.flip();
    Manifest.replaceDurably(dir, TEMPORARY, NAME, out);
  }

  /**
   * Reads {@code dir/ROLLBACK}; empty when there is none.
   *
   * @throws CorruptLogException when it is there but does not check out
   */
  static Optional<RollbackIntent> read(Path dir) throws IOException {
    Path path = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    // Written to a temporary file and renamed: a torn one cannot be here, so any damage is refused.
    if (bytes.length < FIXED_BYTES || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptLogException(path, 0, "not a rollback record (" + bytes.length + " bytes, no PLROLLB1 header)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.getInt(bytes.length - 4) != WalRecord.crc(bytes, 0, bytes.length - 4)) {
      throw new CorruptLogException(path, 0, "rollback record CRC32C mismatch");
    }
    int version = in.getInt(8);
    if (version != VERSION) {
      throw new CorruptLogException(path, 8, "rollback record version " + version + ", this build reads " + VERSION);
    }
    in.position(12);
    long toBlock = in.getLong();
    long oldest = in.getLong();
    long sequence = in.getLong();
    long base = in.getLong();
    long cut = in.getLong();
    int prefixCrc = in.getInt();
    int n = in.getInt();
    if (n < 0 || n != bytes.length - FIXED_BYTES) {
      throw new CorruptLogException(path, 60, "replacement of " + n + " bytes in a " + bytes.length + "-byte record");
    }
    byte[] replacement = new byte[n];
    in.get(replacement);
    return Optional.of(new RollbackIntent(toBlock, oldest, sequence, base, cut, prefixCrc, replacement));
  }

  /**
   * Carries the rollback out, from wherever a crash stopped an earlier attempt (each step checks
   * or repeats what it does), then deletes this record. The caller holds the store's lock.
   *
   * @throws CorruptLogException when the segment to cut is missing or is not the one planned for
   */
  void finish(Path dir, Steps steps) throws IOException {
    Manifest manifest = new Manifest(oldestSequence, sequence, baseBlock);
    if (!Manifest.read(dir).equals(Optional.of(manifest))) {
      manifest.write(dir);
    }
    steps.after(Step.MANIFEST);
    List<Path> later = new ArrayList<>();
    try (Stream<Path> listing = Files.list(dir)) {
      listing.filter(p -> Segment.sequenceOf(p.getFileName().toString()) > sequence).forEach(later::add);
    }
    for (Path segment : later) {
      Files.delete(segment);
    }
    ChainStore.forceDirectory(dir);
    steps.after(Step.SEGMENTS_DELETED);
    Path path = dir.resolve(Segment.fileName(sequence));
    if (!Files.exists(path)) {
      throw new CorruptLogException(dir.resolve(NAME), 0, "the rollback to block " + Long.toUnsignedString(toBlock)
          + " cuts " + path + ", which is missing");
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (channel.size() < cut || Segment.crcOfPrefix(channel, cut) != prefixCrc) {
        throw new CorruptLogException(path, cut, "the rollback to block " + Long.toUnsignedString(toBlock) + " ("
            + dir.resolve(NAME) + ") was planned for other contents of this segment: the file was replaced");
      }
      channel.truncate(cut);
      channel.force(true);
      steps.after(Step.CUT);
      if (replacement.length > 0) {
        ByteBuffer record = ByteBuffer.wrap(replacement);
        long at = cut;
        while (record.hasRemaining()) {
          at += channel.write(record, at);
        }
        channel.force(true);
      }
    }
    steps.after(Step.REWRITTEN);
    Files.delete(dir.resolve(NAME));
    ChainStore.forceDirectory(dir);
    LOG.log(Level.INFO, "chain log " + dir + ": rolled back to block " + Long.toUnsignedString(toBlock) + " ("
        + path.getFileName() + " cut at byte " + cut + (replacement.length > 0 ? ", its last record rewritten" : "")
        + ", " + later.size() + " later segment(s) deleted)");
    steps.after(Step.DONE);
  }

  /**
   * Finishes a rollback a crash interrupted, if {@code dir} holds one: called by every open, under
   * the lock, before the log is read.
   */
  static void finishPending(Path dir) throws IOException {
    Optional<RollbackIntent> pending = read(dir);
    if (pending.isPresent()) {
      LOG.log(Level.WARNING, "chain log " + dir + ": finishing the rollback to block "
          + Long.toUnsignedString(pending.get().toBlock()) + " that " + NAME + " records (it was interrupted)");
      pending.get().finish(dir, Steps.NONE);
    }
  }
}
