package io.peerlink.node.master;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
 *       {@code retentionBlocks} are deleted; {@link #firstBlock()} is the retained floor.
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
  /** Serialises writers; held across the disk write and fsync. */
  private final Object writeMutex = new Object();
  /** Guards {@link #segments} and each segment's index: readers share, publish/delete excludes. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ArrayList<Segment> segments;
  /** Every epoch entry kept; replaced whole after each durable write, under writeMutex. */
  private EpochEntries epochs = EpochEntries.NONE;
  /** What the manifest on disk says; null until the first one is written. Under the write mutex. */
  private Manifest manifest;
  private boolean closed;
  private long lastRetentionLogNanos;
  /** Told how long each record's write and fdatasync took, in nanoseconds (metrics). */
  private volatile LongConsumer writeTimes = nanos -> { };

  private ChainStore(Path dir, long retentionBlocks, int blocksPerSegment, LockFile lockFile,
      List<Segment> segments, Manifest manifest, RecoveryReport recovery) {
    this.dir = dir;
    this.retentionBlocks = retentionBlocks;
    this.blocksPerSegment = blocksPerSegment;
    this.lockFile = lockFile;
    this.segments = new ArrayList<>(segments);
    this.manifest = manifest;
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
      ChainRecovery.Loaded loaded = ChainRecovery.load(dir);
      store = new ChainStore(dir, retentionBlocks, blocksPerSegment, lockFile, loaded.segments(),
          loaded.manifestCurrent() ? loaded.manifest() : null, loaded.report());
      if (store.segments.isEmpty()) {
        store.segments.add(Segment.create(dir, 1, 0, EpochMark.INITIAL));
        forceDirectory(dir);
      }
      store.abandonUnfinishedBase();
      store.epochs = EpochEntries.replay(store.segments);
      store.writeManifestIfBehind(store.segments.get(store.segments.size() - 1));
      store.applyRetention();
      Segment newest = store.segments.get(store.segments.size() - 1);
      LOG.log(Level.INFO, "chain log " + dir + ": " + describeBlocks(store.firstBlock(), store.lastBlock())
          + ", epoch " + Long.toUnsignedString(newest.lastMark().epoch()) + ", " + store.segments.size() + " segment(s)"
          + (loaded.report().repaired() ? "; repaired: " + loaded.report().detail() : ""));
      return store;
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        for (Segment segment : store.segments) {
          closeQuietly(segment, e);
        }
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
    lock.readLock().lock();
    try {
      return segments.get(segments.size() - 1).lastBlock();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The oldest block still retained; {@code lastBlock() + 1} when none is stored. */
  long firstBlock() {
    lock.readLock().lock();
    try {
      return segments.get(0).baseBlock + 1;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every epoch entry kept ({@code EpochBoundaryData} bytes), by epoch; a copy. */
  TreeMap<Long, byte[]> epochEntries() {
    synchronized (writeMutex) {
      return epochs.copy();
    }
  }

  /** The epoch mark after the newest record. */
  EpochMark mark() {
    lock.readLock().lock();
    try {
      return segments.get(segments.size() - 1).lastMark();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Reads blocks {@code from..to} (inclusive), stopping early once {@code maxBytes} is reached
   * (at least one block is always returned).
   *
   * @throws IllegalArgumentException when the range is not within {@link #firstBlock()}..{@link #lastBlock()}
   */
  List<byte[]> read(long from, long to, long maxBytes) throws IOException {
    lock.readLock().lock();
    try {
      ensureOpen();
      long first = segments.get(0).baseBlock + 1;
      long last = segments.get(segments.size() - 1).lastBlock();
      if (from < first || to > last || from > to) {
        throw new IllegalArgumentException("blocks " + from + ".." + to + " are not all stored (stored: "
            + describeBlocks(first, last) + ")");
      }
      List<byte[]> blocks = new ArrayList<>();
      long bytes = 0;
      int index = segmentIndex(from);
      for (long number = from; number <= to; number++) {
        Segment segment = segments.get(index);
        if (!segment.contains(number)) {
          index++;
          // Skip segments that hold no blocks (only epoch marks).
          while (!segments.get(index).contains(number)) {
            index++;
          }
          segment = segments.get(index);
        }
        int length = segment.length(number);
        if (!blocks.isEmpty() && bytes + length > maxBytes) {
          break;
        }
        blocks.add(segment.read(number));
        bytes += length;
      }
      return blocks;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The index of the segment holding {@code number}, which must be stored. */
  private int segmentIndex(long number) {
    int low = 0;
    int high = segments.size() - 1;
    // The last segment whose base is below the number; empty segments in between are skipped by the caller.
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (segments.get(mid).baseBlock < number) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    while (!segments.get(low).contains(number)) {
      low--;
    }
    return low;
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
      ensureOpen();
      Segment active = segments.get(segments.size() - 1);
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
        applyRetention();
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
      ensureOpen();
      lockFile.verify();
      Segment active = segments.get(segments.size() - 1);
      EpochEntries updated = epochs.reset(entry, active.path);
      writeManifestIfBehind(active);
      ByteBuffer record = WalRecord.encodeReset(mark, active.lastBlock(), entry);
      int recordBytes = record.remaining();
      long start = active.writeDurably(record);
      lock.writeLock().lock();
      try {
        active.publish(start, start + recordBytes, mark, List.of());
      } finally {
        lock.writeLock().unlock();
      }
      epochs = updated;
    }
  }

  /** Sets what is told the duration of each durable write (one record: its write and fdatasync). */
  void onDurableWrite(LongConsumer nanos) {
    writeTimes = java.util.Objects.requireNonNull(nanos, "nanos");
  }

  /**
   * One attempt: check the lock, roll if due, name the segment in the manifest, write, publish. A
   * record that opens a segment carries every epoch entry ({@code allEpochs}), others only the new.
   */
  private void writeOnce(EpochMark mark, long first, List<StoredBlock> blocks, List<byte[]> newEpochs,
      EpochEntries allEpochs) throws IOException {
    lockFile.verify();
    Segment active = segments.get(segments.size() - 1);
    if (first > active.lastBlock() + 1) {
      active = roll(active, first - 1); // the base segment: its header records the base
    } else if (!blocks.isEmpty() && (active.blockCount() >= blocksPerSegment || active.size() >= MAX_SEGMENT_BYTES)) {
      active = roll(active, active.lastBlock());
    }
    // The first record of a segment (also on a retry after a roll) carries every entry.
    boolean opensSegment = active.size() == Segment.HEADER_BYTES;
    ByteBuffer record = WalRecord.encode(mark, first, blocks,
        opensSegment && !allEpochs.isEmpty() ? allEpochs.all() : newEpochs);
    writeManifestIfBehind(active);
    int recordBytes = record.remaining();
    long began = System.nanoTime();
    long start = active.writeDurably(record);
    writeTimes.accept(System.nanoTime() - began);
    lock.writeLock().lock();
    try {
      active.publish(start, start + recordBytes, mark, blocks);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Starts the next segment (durably), its blocks following {@code base}, and adds it to the list. */
  private Segment roll(Segment active, long base) throws IOException {
    Segment next = Segment.create(dir, active.sequence + 1, base, active.lastMark());
    try {
      forceDirectory(dir);
    } catch (IOException e) {
      closeQuietly(next, e);
      Files.deleteIfExists(next.path);
      throw e;
    }
    lock.writeLock().lock();
    try {
      segments.add(next);
    } finally {
      lock.writeLock().unlock();
    }
    LOG.log(Level.DEBUG, () -> "chain log: new segment " + next.path.getFileName() + " after block "
        + Long.toUnsignedString(next.baseBlock));
    return next;
  }

  /** Records {@code newest} in the manifest before any record goes into it. */
  private void writeManifestIfBehind(Segment newest) throws IOException {
    if (manifest != null && manifest.newestSequence() == newest.sequence) {
      return;
    }
    Manifest next = new Manifest(segments.get(0).sequence, newest.sequence, newest.baseBlock);
    next.write(dir);
    manifest = next;
  }

  /** Why writes are stuck (a full disk, a failed write), while they are. */
  Optional<String> stuckReason() {
    return stall.reason();
  }

  /** Ends a wait for a retry at once: the owner is closing (it may hold its own lock meanwhile). */
  void stopRetrying() {
    stall.stop();
  }

  /**
   * Deletes the oldest segments whose blocks are all older than the newest {@code retentionBlocks}.
   * The manifest lets go of them first, so a crash midway leaves only files the next open deletes.
   */
  private void applyRetention() throws IOException {
    int victims = 0;
    long last = segments.get(segments.size() - 1).lastBlock();
    long keepFrom = retentionBlocks == ChainOptions.KEEP_ALL ? 0 : last - retentionBlocks + 1;
    // A block-less segment followed by a base segment (ChainBase) goes too: the chain starts at the base.
    while (victims < segments.size() - 1 && (segments.get(victims).lastBlock() < keepFrom
        || segments.get(victims + 1).baseBlock > segments.get(victims).lastBlock())) {
      victims++;
    }
    if (victims == 0) {
      return;
    }
    Manifest next = manifest.withOldest(segments.get(victims).sequence);
    next.write(dir);
    manifest = next;
    List<Segment> removed;
    long floor;
    lock.writeLock().lock();
    try {
      removed = new ArrayList<>(segments.subList(0, victims));
      segments.subList(0, victims).clear();
      floor = segments.get(0).baseBlock + 1;
    } finally {
      lock.writeLock().unlock();
    }
    for (Segment victim : removed) {
      victim.close();
      Files.delete(victim.path);
    }
    forceDirectory(dir);
    LOG.log(Level.INFO, "chain log retention (" + retentionBlocks + " blocks, or a base block): deleted " + removed.size()
        + " segment(s) holding blocks " + describeRange(removed.get(0).baseBlock + 1, removed.get(removed.size() - 1).lastBlock())
        + "; blocks from " + Long.toUnsignedString(floor) + " on are kept");
  }

  /**
   * A base segment with no block yet (a crash between its creation and the record of the base
   * block, which was then never acknowledged) is removed, so the store is empty again and the
   * block-less segment before it, with the epoch entries it may hold, stays: the manifest first
   * lets go of it, so a crash midway leaves a file this runs on again.
   */
  private void abandonUnfinishedBase() throws IOException {
    int n = segments.size();
    if (n < 2 || segments.get(n - 1).blockCount() > 0 || segments.get(n - 1).baseBlock == segments.get(n - 2).lastBlock()) {
      return;
    }
    Segment unfinished = segments.remove(n - 1);
    Segment previous = segments.get(n - 2);
    manifest = new Manifest(segments.get(0).sequence, previous.sequence, previous.baseBlock);
    manifest.write(dir);
    unfinished.close();
    Files.delete(unfinished.path);
    forceDirectory(dir);
    LOG.log(Level.WARNING, "chain log " + dir + ": removed " + unfinished.path.getFileName() + ", a base segment (after block "
        + Long.toUnsignedString(unfinished.baseBlock) + ") whose base block was never written; the store is empty again");
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("chain log " + dir + " is closed");
    }
  }



  /** Closes the files and releases the directory lock; every applied record is already durable. */
  @Override
  public void close() throws IOException {
    stall.stop();
    synchronized (writeMutex) {
      lock.writeLock().lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
        IOException first = null;
        for (Segment segment : segments) {
          try {
            segment.close();
          } catch (IOException e) {
            if (first == null) {
              first = e;
            } else {
              first.addSuppressed(e);
            }
          }
        }
        lockFile.close();
        if (first != null) {
          throw first;
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Makes file creations and deletions in the directory durable. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void closeQuietly(Segment segment, Exception into) {
    try {
      segment.close();
    } catch (IOException e) {
      into.addSuppressed(e);
    }
  }

  static String describeBlocks(long first, long last) {
    return first > last ? "no blocks" : "blocks " + describeRange(first, last);
  }

  private static String describeRange(long first, long last) {
    return Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last);
  }
}
