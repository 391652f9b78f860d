package io.peerlink.node.master;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The segment files of the chain log, oldest first, and the {@link Manifest} that names them:
 * where readers look blocks up, and where the writer rolls to a new segment and retention deletes
 * old ones. Readers share a lock; adding or deleting a segment and publishing a record exclude
 * them. Everything but the reads is called by the store's single writer, under its write mutex,
 * so the writer reads the list without the lock.
 */
final class ChainSegments implements Closeable {
  /** Under the store's name: operators know these lines (retention, repairs) as the chain log's. */
  private static final System.Logger LOG = System.getLogger(ChainStore.class.getName());

  private final Path dir;
  /** Guards {@link #segments} and each segment's index: readers share, publish/delete excludes. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ArrayList<Segment> segments;
  /** What the manifest on disk says; null until the first one is written. Writer only. */
  private Manifest manifest;
  private boolean closed;

  ChainSegments(Path dir, List<Segment> segments, Manifest manifest) {
    this.dir = dir;
    this.segments = new ArrayList<>(segments);
    this.manifest = manifest;
  }

  /** Starts the first segment of an empty directory (durably), when there is none. */
  void startIfEmpty() throws IOException {
    if (segments.isEmpty()) {
      segments.add(Segment.create(dir, 1, 0, EpochMark.INITIAL));
      ChainStore.forceDirectory(dir);
    }
  }

  /** Every segment, oldest first (a read-only view, for the writer and while opening). */
  List<Segment> all() {
    return Collections.unmodifiableList(segments);
  }

  /** The segment records are appended to (writer only). */
  Segment newest() {
    return segments.get(segments.size() - 1);
  }

  /** The last block stored; 0 when there is none. */
  long lastBlock() {
    lock.readLock().lock();
    try {
      return newest().lastBlock();
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

  /** The epoch mark after the newest record. */
  EpochMark mark() {
    lock.readLock().lock();
    try {
      return newest().lastMark();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** As {@link ChainStore#read}. */
  List<byte[]> read(long from, long to, long maxBytes) throws IOException {
    try (SegmentRange range = range(from, to, maxBytes)) {
      return range.arrays();
    }
  }

  /** As {@link ChainStore#range}: holds the read lock until the range is closed. */
  SegmentRange range(long from, long to, long maxBytes) throws IOException {
    Lock held = lock.readLock();
    held.lock();
    try {
      ensureOpen();
      long first = segments.get(0).baseBlock + 1;
      long last = newest().lastBlock();
      if (from < first || to > last || from > to) {
        throw new IllegalArgumentException("blocks " + from + ".." + to + " are not all stored (stored: "
            + ChainStore.describeBlocks(first, last) + ")");
      }
      int most = (int) Math.min(to - from + 1, 1024); // grown below for a longer range
      Segment[] where = new Segment[most];
      int[] lengths = new int[most];
      int count = 0;
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
        if (count > 0 && bytes + length > maxBytes) {
          break;
        }
        if (count == where.length) {
          where = Arrays.copyOf(where, 2 * count);
          lengths = Arrays.copyOf(lengths, 2 * count);
        }
        where[count] = segment;
        lengths[count++] = length;
        bytes += length;
      }
      return new SegmentRange(held, from, Arrays.copyOf(where, count), Arrays.copyOf(lengths, count));
    } catch (IOException | RuntimeException | Error e) {
      held.unlock();
      throw e;
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

  /** Makes a durably written record readable ({@link Segment#publish}), excluding readers meanwhile. */
  void publish(Segment active, long start, long end, EpochMark mark, List<StoredBlock> blocks) {
    lock.writeLock().lock();
    try {
      active.publish(start, end, mark, blocks);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Starts the next segment (durably), its blocks following {@code base}, and adds it to the list. */
  Segment roll(Segment active, long base) throws IOException {
    Segment next = Segment.create(dir, active.sequence + 1, base, active.lastMark());
    try {
      ChainStore.forceDirectory(dir);
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
  void writeManifestIfBehind(Segment newest) throws IOException {
    if (manifest != null && manifest.newestSequence() == newest.sequence) {
      return;
    }
    Manifest next = new Manifest(segments.get(0).sequence, newest.sequence, newest.baseBlock);
    next.write(dir);
    manifest = next;
  }

  /**
   * Deletes the oldest segments whose blocks are all older than the newest {@code retentionBlocks}
   * ({@link ChainOptions#KEEP_ALL}: none for age). The manifest lets go of them first, so a crash
   * midway leaves only files the next open deletes.
   */
  void applyRetention(long retentionBlocks) throws IOException {
    int victims = 0;
    long last = newest().lastBlock();
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
    ChainStore.forceDirectory(dir);
    LOG.log(Level.INFO, "chain log retention (" + retentionBlocks + " blocks, or a base block): deleted " + removed.size()
        + " segment(s) holding blocks " + ChainStore.describeRange(removed.get(0).baseBlock + 1,
            removed.get(removed.size() - 1).lastBlock())
        + "; blocks from " + Long.toUnsignedString(floor) + " on are kept");
  }

  /**
   * A base segment with no block yet (a crash between its creation and the record of the base
   * block, which was then never acknowledged) is removed, so the store is empty again and the
   * block-less segment before it, with the epoch entries it may hold, stays: the manifest first
   * lets go of it, so a crash midway leaves a file this runs on again.
   */
  void abandonUnfinishedBase() throws IOException {
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
    ChainStore.forceDirectory(dir);
    LOG.log(Level.WARNING, "chain log " + dir + ": removed " + unfinished.path.getFileName() + ", a base segment (after block "
        + Long.toUnsignedString(unfinished.baseBlock) + ") whose base block was never written; the store is empty again");
  }

  /** Refuses once closed: under the read lock for readers, under the write mutex for the writer. */
  void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("chain log " + dir + " is closed");
    }
  }

  /** Closes every segment once, waiting for running reads; the first failure is thrown, the rest suppressed. */
  @Override
  public void close() throws IOException {
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
      if (first != null) {
        throw first;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Closes every segment after a failed open, adding any failure to {@code into}. */
  void closeAfterFailure(Exception into) {
    for (Segment segment : segments) {
      closeQuietly(segment, into);
    }
  }

  private static void closeQuietly(Segment segment, Exception into) {
    try {
      segment.close();
    } catch (IOException e) {
      into.addSuppressed(e);
    }
  }
}
