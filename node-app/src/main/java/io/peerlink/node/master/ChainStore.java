package io.peerlink.node.master;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The master's durable chain: a checksummed, segmented write-ahead log of blocks and epoch marks
 * in one directory. See {@code node-app/STORAGE.md} for the format and the reasoning.
 *
 * <ul>
 *   <li>Appends are atomic and durable: one call writes one CRC32C-checked record and forces it
 *       (fdatasync) before returning; readers see it only afterwards.
 *   <li>On open every record is checked; a torn final write (the only damage a crash can leave)
 *       is cut off and logged, any other damage refuses to open and is left in place
 *       ({@link ChainRecovery}); a {@link Manifest} detects missing segments.
 *   <li>Retention: whole segments whose blocks are all older than the newest
 *       {@code retentionBlocks} are deleted ({@link ChainSegments}, which also rolls to a new
 *       segment and serves reads); {@link #firstBlock()} is the retained floor.
 *   <li>Thread-safe: writers are serialised; reads run in parallel with writes (not with
 *       segment deletion); a failed write or fsync is undone and retried until it succeeds
 *       ({@link WriteStall}); the directory and every segment are locked ({@link LockFile}).
 * </ul>
 */
final class ChainStore implements Closeable {
  private static final System.Logger LOG = System.getLogger(ChainStore.class.getName());
  /** A segment also rolls at this size, whatever its block count. */
  static final long MAX_SEGMENT_BYTES = 256L * 1024 * 1024;

  private final Path dir;
  private final long retentionBlocks;
  private final int blocksPerSegment;
  private final LockFile lockFile;
  private final RecoveryReport recovery;
  private final WriteStall stall = new WriteStall();
  /** Where each record is encoded before its write; under writeMutex. */
  private final RecordBuffer recordBuffer = new RecordBuffer();
  /** Serialises writers; held across the disk write and fsync. */
  private final Object writeMutex = new Object();
  private final ChainSegments segments;
  /** Every epoch entry kept; replaced whole after each durable write, under writeMutex. */
  private EpochEntries epochs = EpochEntries.NONE;
  private long lastRetentionLogNanos;
  /** Told how long each record's write and fdatasync took, in nanoseconds (metrics). */
  private volatile LongConsumer writeTimes = nanos -> { };

  private ChainStore(Path dir, long retentionBlocks, int blocksPerSegment, LockFile lockFile,
      List<Segment> segments, Manifest manifest, RecoveryReport recovery) {
    this.dir = dir;
    this.retentionBlocks = retentionBlocks;
    this.blocksPerSegment = blocksPerSegment;
    this.lockFile = lockFile;
    this.segments = new ChainSegments(dir, segments, manifest);
    this.recovery = recovery;
  }

  /**
   * Opens (or creates) the store in {@code dir}, checking every record and repairing a torn
   * final record (see {@link ChainRecovery}).
   *
   * @param retentionBlocks how many of the newest blocks are always kept; 0 keeps every block
   * @param blocksPerSegment how many blocks a segment holds before the next one starts
   * @throws CorruptLogException when the log is damaged other than by a torn final write
   * @throws IOException when the directory cannot be used or is locked by another process
   */
  static ChainStore open(Path dir, long retentionBlocks, int blocksPerSegment) throws IOException {
    if (retentionBlocks < 0) {
      throw new IllegalArgumentException("retention_blocks = " + retentionBlocks + ": expected 0 (keep all) or more");
    }
    if (blocksPerSegment < 1) {
      throw new IllegalArgumentException("blocks per segment = " + blocksPerSegment + ": expected at least 1");
    }
    Files.createDirectories(dir);
    LockFile lockFile = LockFile.acquire(dir);
    ChainStore store = null;
    try {
      RollbackIntent.finishPending(dir); // an operator's rollback a crash cut short: see ChainRollback
      ChainRecovery.Loaded loaded = ChainRecovery.load(dir);
      store = new ChainStore(dir, retentionBlocks, blocksPerSegment, lockFile, loaded.segments(),
          loaded.manifestCurrent() ? loaded.manifest() : null, loaded.report());
      ChainSegments segments = store.segments;
      segments.startIfEmpty();
      segments.abandonUnfinishedBase();
      store.epochs = EpochEntries.replay(segments.all());
      segments.writeManifestIfBehind(segments.newest());
      segments.applyRetention(retentionBlocks);
      LOG.log(Level.INFO, "chain log " + dir + ": " + describeBlocks(store.firstBlock(), store.lastBlock())
          + ", epoch " + Long.toUnsignedString(segments.newest().lastMark().epoch())
          + ", " + segments.all().size() + " segment(s)"
          + (loaded.report().repaired() ? "; repaired: " + loaded.report().detail() : ""));
      return store;
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.segments.closeAfterFailure(e);
      }
      lockFile.close();
      throw e;
    }
  }

  /** What opening had to repair. */
  RecoveryReport recovery() {
    return recovery;
  }

  /** The last block stored; 0 when there is none. */
  long lastBlock() {
    return segments.lastBlock();
  }

  /** The oldest block still retained; {@code lastBlock() + 1} when none is stored. */
  long firstBlock() {
    return segments.firstBlock();
  }

  /** Every epoch entry kept ({@code EpochBoundaryData} bytes), by epoch; a copy. */
  TreeMap<Long, byte[]> epochEntries() {
    synchronized (writeMutex) {
      return epochs.copy();
    }
  }

  /** The epoch mark after the newest record. */
  EpochMark mark() {
    return segments.mark();
  }

  /**
   * Reads blocks {@code from..to} (inclusive), stopping early once {@code maxBytes} is reached
   * (at least one block is always returned).
   *
   * @throws IllegalArgumentException when the range is not within {@link #firstBlock()}..{@link #lastBlock()}
   */
  List<byte[]> read(long from, long to, long maxBytes) throws IOException {
    return segments.read(from, to, maxBytes);
  }

  /**
   * As {@link #read}, the blocks located but not read: their lengths, and their bytes read into a
   * caller's array or added to a frame as file ranges on demand. Writers that publish or delete
   * segments wait until it is closed.
   *
   * @throws IllegalArgumentException when the range is not within {@link #firstBlock()}..{@link #lastBlock()}
   */
  SegmentRange range(long from, long to, long maxBytes) throws IOException {
    return segments.range(from, to, maxBytes);
  }

  /**
   * Appends blocks (which must continue from {@link #lastBlock()}) and the epoch mark in force
   * after them, as one record, durably: when this returns, the record survives a crash and
   * readers see it. With no blocks it records an epoch change alone.
   *
   * <p>A failed write or fsync (a full disk, a read-only file system) is undone and retried until
   * it succeeds, with {@link #stuckReason()} saying why meanwhile: the caller waits rather than
   * losing the record. Retention runs after the write; its failure is logged and retried on the
   * next write, never reported as a failed append.
   *
   * @throws IllegalArgumentException when the numbers do not continue the chain or the batch is too large
   * @throws IOException when the store closed while a write waited to be retried; nothing was written
   */
  void append(EpochMark mark, List<StoredBlock> blocks) throws IOException {
    append(mark, blocks, List.of());
  }

  /**
   * As {@link #append(EpochMark, List)}, with epoch entries ({@code EpochBoundaryData} bytes, each
   * replacing the entry of its epoch) in the same record. A record that opens a new segment
   * carries every entry, so deleting old segments never loses one.
   */
  void append(EpochMark mark, List<StoredBlock> blocks, List<byte[]> newEpochs) throws IOException {
    synchronized (writeMutex) {
      segments.ensureOpen();
      Segment active = segments.newest();
      long first = active.lastBlock() + 1;
      if (!blocks.isEmpty() && active.lastBlock() == 0 && blocks.get(0).number() > 1) {
        first = blocks.get(0).number(); // a chain that starts at a base block: see ChainBase
      }
      for (int i = 0; i < blocks.size(); i++) {
        if (blocks.get(i).number() != first + i) {
          throw new IllegalArgumentException("block " + Long.toUnsignedString(blocks.get(i).number())
              + " does not continue the chain: expected block " + Long.toUnsignedString(first + i));
        }
      }
      EpochEntries updated = epochs.with(newEpochs, active.path);
      for (int attempt = 1; ; attempt++) {
        try {
          writeOnce(mark, first, blocks, newEpochs, updated);
          stall.cleared();
          break;
        } catch (java.io.InterruptedIOException e) {
          throw e; // the segment undid the partial record: the store is consistent and stays writable
        } catch (IOException e) {
          stall.failed("chain log " + dir + ": a write of " + blocks.size() + " block(s) from block "
              + Long.toUnsignedString(first) + " failed (" + e.getMessage() + ")");
          if (!stall.pause(attempt)) {
            throw new IOException("chain log " + dir + " closed while a write waited to be retried (" + e.getMessage()
                + "); nothing was written", e);
          }
        }
      }
      epochs = updated;
      try {
        segments.applyRetention(retentionBlocks);
      } catch (IOException e) {
        long now = System.nanoTime();
        if (lastRetentionLogNanos == 0 || now - lastRetentionLogNanos > WriteStall.DEFAULT_LOG_EVERY_NANOS) {
          lastRetentionLogNanos = now;
          LOG.log(Level.WARNING, "chain log " + dir + ": retention could not delete old segments (" + e
              + "); the blocks are applied, and retention is retried after the next write");
        }
      }
    }
  }

  /**
   * Sets the epoch mark back (or anywhere) by an operator's reset record (kind 3, see
   * {@link WalRecord}), durably, with the entry of the new epoch; every entry kept for a higher
   * epoch is dropped, now and on every later open. Only for a store no master runs on (the caller
   * holds the store, and so its lock): a running master writes only through its
   * {@link GroupCommit}, and this record is never part of a group.
   */
  void resetEpoch(EpochMark mark, byte[] entry) throws IOException {
    synchronized (writeMutex) {
      segments.ensureOpen();
      lockFile.verify();
      Segment active = segments.newest();
      EpochEntries updated = epochs.reset(entry, active.path);
      segments.writeManifestIfBehind(active);
      ByteBuffer record = WalRecord.encodeReset(mark, active.lastBlock(), entry);
      int recordBytes = record.remaining();
      long start = active.writeDurably(record);
      segments.publish(active, start, start + recordBytes, mark, List.of());
      epochs = updated;
    }
  }

  /**
   * The segments, oldest first, for an offline operation ({@link ChainRollback}) on a store no
   * master runs on: the caller holds the store, and so its lock, and writes nothing through it.
   */
  List<Segment> offlineSegments() {
    synchronized (writeMutex) {
      return List.copyOf(segments.all());
    }
  }

  /**
   * The chain directory of a stopped master's {@code storage_path}, for the offline commands.
   *
   * @throws IOException when there is none
   */
  static Path offlineDirectory(Path storagePath) throws IOException {
    Path dir = storagePath.resolve(ChainState.CHAIN_DIRECTORY);
    if (!Files.isDirectory(dir)) {
      throw new IOException("storage_path " + storagePath + " holds no chain store (" + dir + " is missing)");
    }
    return dir;
  }

  /** Sets what is told the duration of each durable write (one record: its write and fdatasync). */
  void onDurableWrite(LongConsumer nanos) {
    writeTimes = Objects.requireNonNull(nanos, "nanos");
  }

  /**
   * One attempt: check the lock, roll if due, name the segment in the manifest, write, publish. A
   * record that opens a segment carries every epoch entry ({@code allEpochs}), others only the new.
   */
  private void writeOnce(EpochMark mark, long first, List<StoredBlock> blocks, List<byte[]> newEpochs,
      EpochEntries allEpochs) throws IOException {
    lockFile.verify();
    Segment active = segments.newest();
    if (first > active.lastBlock() + 1) {
      active = segments.roll(active, first - 1); // the base segment: its header records the base
    } else if (!blocks.isEmpty() && (active.blockCount() >= blocksPerSegment || active.size() >= MAX_SEGMENT_BYTES)) {
      active = segments.roll(active, active.lastBlock());
    }
    // The first record of a segment (also on a retry after a roll) carries every entry.
    boolean opensSegment = active.size() == Segment.HEADER_BYTES;
    ByteBuffer record = WalRecord.encode(mark, first, blocks,
        opensSegment && !allEpochs.isEmpty() ? allEpochs.all() : newEpochs, recordBuffer::take);
    segments.writeManifestIfBehind(active);
    int recordBytes = record.remaining();
    long began = System.nanoTime();
    long start = active.writeDurably(record);
    writeTimes.accept(System.nanoTime() - began);
    segments.publish(active, start, start + recordBytes, mark, blocks);
  }

  /** Why writes are stuck (a full disk, a failed write), while they are. */
  Optional<String> stuckReason() {
    return stall.reason();
  }

  /** Ends a wait for a retry at once: the owner is closing (it may hold its own lock meanwhile). */
  void stopRetrying() {
    stall.stop();
  }

  /** Closes the files and releases the directory lock; every applied record is already durable. */
  @Override
  public void close() throws IOException {
    stall.stop();
    synchronized (writeMutex) {
      try {
        segments.close();
      } finally {
        lockFile.close();
      }
    }
  }

  /** Makes file creations and deletions in the directory durable. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  static String describeBlocks(long first, long last) {
    return first > last ? "no blocks" : "blocks " + describeRange(first, last);
  }

  static String describeRange(long first, long last) {
    return Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last);
  }
}
