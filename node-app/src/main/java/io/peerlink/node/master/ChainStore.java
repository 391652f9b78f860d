package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The master's durable chain: a checksummed, segmented write-ahead log of blocks and epoch marks
 * in one directory. See {@code node-app/STORAGE.md} for the format and the reasoning.
 *
 * <ul>
 *   <li>Appends are atomic and durable: one call writes one CRC32C-checked record and forces it
 *       (fdatasync) before returning; readers see it only afterwards.
 *   <li>On open every record is checked; a torn or corrupt tail (the only place a crash can leave
 *       damage) is cut off and logged, damage anywhere else refuses to open.
 *   <li>Retention: whole segments whose blocks are all older than the newest
 *       {@code retentionBlocks} are deleted; {@link #firstBlock()} is the retained floor.
 *   <li>Thread-safe: writers are serialised; reads run in parallel with writes (not with
 *       segment deletion); a write or fsync error stops all further writes (fail-stop: after a
 *       failed fsync the page cache cannot be trusted, a restart re-reads the disk).
 * </ul>
 */
final class ChainStore implements Closeable {
  private static final System.Logger LOG = System.getLogger(ChainStore.class.getName());
  static final String LOCK_FILE = "LOCK";
  /** A segment also rolls at this size, whatever its block count. */
  static final long MAX_SEGMENT_BYTES = 256L * 1024 * 1024;

  private final Path dir;
  private final long retentionBlocks;
  private final int blocksPerSegment;
  private final FileChannel lockChannel;
  private final RecoveryReport recovery;
  /** Serialises writers; held across the disk write and fsync. */
  private final Object writeMutex = new Object();
  /** Guards {@link #segments} and each segment's index: readers share, publish/delete excludes. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ArrayList<Segment> segments;
  /** Every epoch entry kept (EpochBoundaryData bytes), by epoch; guarded by writeMutex. */
  private final TreeMap<Long, byte[]> epochs = new TreeMap<>(Long::compareUnsigned);
  private IOException failure;
  private boolean closed;
  /** Told how long each record's write and fdatasync took, in nanoseconds (metrics). */
  private volatile LongConsumer writeTimes = nanos -> { };

  private ChainStore(Path dir, long retentionBlocks, int blocksPerSegment, FileChannel lockChannel,
      ArrayList<Segment> segments, RecoveryReport recovery) {
    this.dir = dir;
    this.retentionBlocks = retentionBlocks;
    this.blocksPerSegment = blocksPerSegment;
    this.lockChannel = lockChannel;
    this.segments = segments;
    this.recovery = recovery;
  }

  /**
   * Opens (or creates) the store in {@code dir}, checking every record and repairing a torn tail.
   *
   * @param retentionBlocks how many of the newest blocks are always kept (at least 1)
   * @param blocksPerSegment how many blocks a segment holds before the next one starts
   * @throws CorruptLogException when the log is damaged other than at its tail
   * @throws IOException when the directory cannot be used or is locked by another process
   */
  static ChainStore open(Path dir, long retentionBlocks, int blocksPerSegment) throws IOException {
    if (retentionBlocks < 1) {
      throw new IllegalArgumentException("retention_blocks = " + retentionBlocks + ": expected at least 1");
    }
    if (blocksPerSegment < 1) {
      throw new IllegalArgumentException("blocks per segment = " + blocksPerSegment + ": expected at least 1");
    }
    Files.createDirectories(dir);
    FileChannel lockChannel = lockDirectory(dir);
    ArrayList<Segment> segments = new ArrayList<>();
    try {
      RecoveryReport recovery = load(dir, segments);
      if (segments.isEmpty()) {
        segments.add(Segment.create(dir, 1, 0, EpochMark.INITIAL));
        forceDirectory(dir);
      }
      ChainStore store = new ChainStore(dir, retentionBlocks, blocksPerSegment, lockChannel, segments, recovery);
      for (Segment segment : segments) {
        for (byte[] entry : segment.takeEpochEntries()) {
          store.epochs.put(epochOf(entry, segment), entry);
        }
      }
      store.applyRetention();
      Segment newest = segments.get(segments.size() - 1);
      LOG.log(Level.INFO, "chain log " + dir + ": " + describeBlocks(store.firstBlock(), store.lastBlock())
          + ", epoch " + Long.toUnsignedString(newest.lastMark().epoch()) + ", " + segments.size() + " segment(s)"
          + (recovery.repaired() ? "; repaired: " + recovery.detail() : ""));
      return store;
    } catch (IOException | RuntimeException e) {
      for (Segment segment : segments) {
        closeQuietly(segment, e);
      }
      lockChannel.close();
      throw e;
    }
  }

  private static FileChannel lockDirectory(Path dir) throws IOException {
    Path lockPath = dir.resolve(LOCK_FILE);
    FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock fileLock;
    try {
      fileLock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      fileLock = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (fileLock == null) {
      channel.close();
      throw new IOException("storage directory " + dir + " is in use by another master (" + lockPath
          + " is locked): each master needs its own storage_path");
    }
    // The lock lives as long as the channel; the OS drops it when the process dies.
    return channel;
  }

  /** Reads the segments in order, repairing a torn tail; fills {@code segments}. */
  private static RecoveryReport load(Path dir, List<Segment> segments) throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (Stream<Path> listing = Files.list(dir)) {
      listing.forEach(path -> {
        long sequence = Segment.sequenceOf(path.getFileName().toString());
        if (sequence >= 0) {
          files.put(sequence, path);
        }
      });
    }
    RecoveryReport recovery = RecoveryReport.CLEAN;
    Long newestSequence = files.isEmpty() ? null : files.lastKey();
    for (var entry : files.entrySet()) {
      boolean newest = entry.getKey().equals(newestSequence);
      Path path = entry.getValue();
      Segment segment;
      try {
        segment = Segment.open(path, entry.getKey());
      } catch (CorruptLogException e) {
        long size = Files.size(path);
        if (!newest || size > Segment.HEADER_BYTES) {
          // Records follow the header only once the header was forced: a bad header with
          // records after it is damage, not a crash during creation.
          throw e;
        }
        // A crash while a new segment was being created: its header never became durable, so
        // no record in it can have been reported applied.
        Files.delete(path);
        forceDirectory(dir);
        String detail = "discarded half-created segment " + path.getFileName() + " (" + size + " bytes): "
            + e.getMessage();
        LOG.log(Level.WARNING, "chain log " + detail);
        recovery = new RecoveryReport(size, detail);
        break;
      }
      segments.add(segment);
      Segment.Damage damage = segment.scan();
      if (damage != null) {
        if (!newest) {
          throw new CorruptLogException(path, damage.offset(), damage.problem());
        }
        long cut = damage.fileSize() - damage.offset();
        String detail = path.getFileName() + ": torn tail at byte " + damage.offset() + " (" + damage.problem()
            + "), cut " + cut + " bytes; the chain ends at its last complete record, block "
            + Long.toUnsignedString(segment.lastBlock());
        LOG.log(Level.WARNING, "chain log " + detail);
        segment.truncateToEnd();
        recovery = new RecoveryReport(cut, detail);
      }
      if (segments.size() > 1) {
        Segment previous = segments.get(segments.size() - 2);
        if (segment.baseBlock != previous.lastBlock()) {
          throw new CorruptLogException("chain log " + path + " starts after block "
              + Long.toUnsignedString(segment.baseBlock) + " but " + previous.path.getFileName()
              + " ends at block " + Long.toUnsignedString(previous.lastBlock())
              + ": a segment file is missing or out of place; move the storage directory aside to"
              + " start empty and catch up from peers");
        }
      }
    }
    return recovery;
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

  private static long epochOf(byte[] entry, Segment segment) throws IOException {
    try {
      return EpochBoundaryData.decodeMessage(entry).epoch();
    } catch (ProtocolException e) {
      // The record passed its CRC: a bug or a foreign write, not a torn one.
      throw new IOException("chain log " + segment.path + ": an epoch entry does not decode: " + e.getMessage(), e);
    }
  }

  /** Every epoch entry kept ({@code EpochBoundaryData} bytes), by epoch; a copy. */
  TreeMap<Long, byte[]> epochEntries() {
    synchronized (writeMutex) {
      return new TreeMap<>(epochs);
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
   * @throws IllegalArgumentException when the numbers do not continue the chain or the batch is too large
   * @throws IOException when the write or the fsync fails; the store then refuses further writes
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
      ensureWritable();
      Segment active = segments.get(segments.size() - 1);
      long first = active.lastBlock() + 1;
      for (int i = 0; i < blocks.size(); i++) {
        if (blocks.get(i).number() != first + i) {
          throw new IllegalArgumentException("block " + Long.toUnsignedString(blocks.get(i).number())
              + " does not continue the chain: expected block " + Long.toUnsignedString(first + i));
        }
      }
      TreeMap<Long, byte[]> updated = new TreeMap<>(epochs);
      for (byte[] entry : newEpochs) {
        updated.put(epochOf(entry, active), entry);
      }
      boolean rolls = !blocks.isEmpty() && (active.blockCount() >= blocksPerSegment || active.size() >= MAX_SEGMENT_BYTES);
      ByteBuffer record = WalRecord.encode(mark, first, blocks,
          rolls && !updated.isEmpty() ? List.copyOf(updated.values()) : newEpochs);
      try {
        if (rolls) {
          active = roll(active);
        }
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
      } catch (java.io.InterruptedIOException e) {
        throw e; // the segment undid the partial record: the store is consistent and stays writable
      } catch (IOException e) {
        failure = e;
        LOG.log(Level.ERROR, "chain log " + dir + ": write failed, no further writes until restart", e);
        throw new IOException("chain log " + dir + ": write failed (" + e
            + "); the store refuses further writes until the master restarts", e);
      }
      epochs.clear();
      epochs.putAll(updated);
      applyRetention();
    }
  }

  /** Sets what is told the duration of each durable write (one record: its write and fdatasync). */
  void onDurableWrite(LongConsumer nanos) {
    writeTimes = java.util.Objects.requireNonNull(nanos, "nanos");
  }

  private Segment roll(Segment active) throws IOException {
    Segment next = Segment.create(dir, active.sequence + 1, active.lastBlock(), active.lastMark());
    forceDirectory(dir);
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

  /** Deletes the oldest segments whose blocks are all older than the newest {@code retentionBlocks}. */
  private void applyRetention() throws IOException {
    List<Segment> victims = new ArrayList<>();
    long floor;
    lock.writeLock().lock();
    try {
      long last = segments.get(segments.size() - 1).lastBlock();
      long keepFrom = last - retentionBlocks + 1;
      while (segments.size() > 1 && segments.get(0).lastBlock() < keepFrom) {
        victims.add(segments.remove(0));
      }
      floor = segments.get(0).baseBlock + 1;
    } finally {
      lock.writeLock().unlock();
    }
    if (victims.isEmpty()) {
      return;
    }
    for (Segment victim : victims) {
      victim.close();
      Files.delete(victim.path);
    }
    forceDirectory(dir);
    Segment oldest = victims.get(0);
    LOG.log(Level.INFO, "chain log retention (" + retentionBlocks + " blocks): deleted " + victims.size()
        + " segment(s) holding blocks " + describeRange(oldest.baseBlock + 1, victims.get(victims.size() - 1).lastBlock())
        + "; blocks from " + Long.toUnsignedString(floor) + " on are kept");
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("chain log " + dir + " is closed");
    }
  }

  private void ensureWritable() throws IOException {
    ensureOpen();
    if (failure != null) {
      throw new IOException("chain log " + dir + ": an earlier write failed (" + failure
          + "); the store refuses writes until the master restarts", failure);
    }
  }

  /** Closes the files and releases the directory lock; every applied record is already durable. */
  @Override
  public void close() throws IOException {
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
        lockChannel.close();
        if (first != null) {
          throw first;
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Makes file creations and deletions in the directory durable. */
  private static void forceDirectory(Path dir) throws IOException {
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
