package io.peerlink.node.master;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment file of the chain log: a header that checkpoints the chain at the segment's start
 * (the last block before it and the epoch mark: {@link SegmentHeader}), then records. Blocks in a
 * segment are contiguous from {@code baseBlock + 1}; an in-memory {@link BlockIndex} maps each to
 * its byte range for reads.
 *
 * <p>Not thread-safe by itself: {@link ChainSegments}' lock and the store's write mutex guard the
 * mutable parts. Readers and the writer use separate channels because interrupting a thread
 * inside a {@link FileChannel} operation closes the channel (NIO's interruptible channels): an
 * interrupted peer query must not close the file under the writer or other readers, so a closed
 * channel is reopened ({@link SegmentReader}, whose channel answers also send file ranges from).
 */
final class Segment implements Closeable {
  static final int HEADER_BYTES = SegmentHeader.BYTES;
  private static final String SUFFIX = ".seg";

  final long sequence;
  final Path path;
  final long baseBlock;
  final EpochMark baseMark;
  /** Used by the single writer (under the store's write mutex) and while opening. */
  private FileChannel channel;
  /**
   * An exclusive lock on the file through {@link #channel}: a second master is refused even when
   * the directory's LOCK file was deleted. POSIX drops a process's locks on a file when any of its
   * descriptors for it closes, so it is taken again whenever a channel had to be reopened.
   */
  private FileLock writerLock;
  /** Reads blocks, and holds the file open for answers sent from it. */
  private final SegmentReader reader;
  private volatile boolean closed;

  /** Bytes of valid data: the next record goes here. */
  private long end;
  /** The mark after the last valid record (the header's before any). */
  private EpochMark lastMark;
  private final List<EpochUpdate> epochUpdates = new ArrayList<>();
  private final BlockIndex index = new BlockIndex();

  private Segment(long sequence, Path path, FileChannel channel, long baseBlock, EpochMark baseMark, long end)
      throws IOException {
    this.sequence = sequence;
    this.path = path;
    this.channel = channel;
    this.writerLock = lock(channel, path);
    this.reader = new SegmentReader(path, this::relock);
    this.baseBlock = baseBlock;
    this.baseMark = baseMark;
    this.lastMark = baseMark;
    this.end = end;
  }

  /** The file name of a sequence number: zero-padded so names sort in log order. */
  static String fileName(long sequence) {
    return String.format("%020d%s", sequence, SUFFIX);
  }

  /** The sequence number a file name stands for, or -1 when the file is no segment. */
  static long sequenceOf(String fileName) {
    if (fileName.length() != 20 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      if (!Character.isDigit(fileName.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(fileName.substring(0, 20));
  }

  /** Creates a new segment file, writes its header and makes it durable. */
  static Segment create(Path dir, long sequence, long baseBlock, EpochMark mark) throws IOException {
    Path path = dir.resolve(fileName(sequence));
    if (Files.exists(path) && Files.size(path) <= HEADER_BYTES) {
      Files.delete(path); // left by an earlier create that failed (a full disk): it holds no record
    }
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      writeFully(channel, new SegmentHeader(baseBlock, mark).encode(), 0);
      // A new file: its size is metadata too, so force everything.
      channel.force(true);
      return new Segment(sequence, path, channel, baseBlock, mark, HEADER_BYTES);
    } catch (IOException | RuntimeException e) {
      channel.close();
      try {
        Files.deleteIfExists(path);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed); // the next create removes it
      }
      throw e;
    }
  }

  /**
   * Opens an existing segment and checks its header; records are not read yet ({@link #scan}).
   *
   * @throws CorruptLogException when the header is short or does not check out
   */
  static Segment open(Path path, long sequence) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = channel.size();
      if (size < HEADER_BYTES) {
        throw new CorruptLogException(path, 0, "the header is cut off (" + size + " of " + HEADER_BYTES + " bytes)");
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      readFully(channel, header, 0);
      SegmentHeader checked = SegmentHeader.decode(path, header);
      return new Segment(sequence, path, channel, checked.baseBlock(), checked.mark(), HEADER_BYTES);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Where a scan stopped short of the file's end, and why. */
  record Damage(long offset, long fileSize, String problem) {}

  /**
   * Reads every record from the header on and indexes its blocks. Stops at the first record
   * that is cut off, fails its CRC or is malformed, and reports it; the store decides whether
   * that is a torn tail (truncate) or corruption (refuse).
   *
   * @return null when the whole file is valid
   */
  Damage scan() throws IOException {
    long size = channel.size();
    long position = HEADER_BYTES;
    ByteBuffer header = ByteBuffer.allocate(WalRecord.HEADER_BYTES);
    while (position < size) {
      if (size - position < WalRecord.HEADER_BYTES) {
        return new Damage(position, size, "record header cut off (" + (size - position) + " bytes)");
      }
      header.clear();
      readFully(channel, header, position);
      int length = header.getInt(0);
      int storedCrc = header.getInt(4);
      if (length < WalRecord.FIXED_PAYLOAD_BYTES || length > WalRecord.MAX_PAYLOAD_BYTES) {
        return new Damage(position, size, "record length " + Integer.toUnsignedString(length) + " is impossible");
      }
      if (length > size - position - WalRecord.HEADER_BYTES) {
        return new Damage(position, size, "record of " + length + " bytes cut off at "
            + (size - position - WalRecord.HEADER_BYTES) + " bytes");
      }
      ByteBuffer payload = ByteBuffer.allocate(length);
      readFully(channel, payload, position + WalRecord.HEADER_BYTES);
      if (WalRecord.crc(payload.array(), 0, length) != storedCrc) {
        return new Damage(position, size, "record CRC32C mismatch");
      }
      WalRecord.Decoded decoded;
      try {
        decoded = WalRecord.decode(payload.array());
      } catch (IllegalArgumentException e) {
        return new Damage(position, size, "malformed record: " + e.getMessage());
      }
      if (decoded.count() > 0 && decoded.firstBlock() != lastBlock() + 1) {
        return new Damage(position, size, "record starts at block " + Long.toUnsignedString(decoded.firstBlock())
            + " but the log holds blocks up to " + Long.toUnsignedString(lastBlock()));
      }
      long payloadStart = position + WalRecord.HEADER_BYTES;
      for (int i = 0; i < decoded.count(); i++) {
        index.add(payloadStart + decoded.offsets()[i], decoded.lengths()[i]);
      }
      if (!decoded.epochs().isEmpty()) {
        epochUpdates.add(new EpochUpdate(decoded.epochs(), decoded.reset()));
      }
      lastMark = decoded.mark();
      position = payloadStart + length;
      end = position;
    }
    return null;
  }

  /** One record of a scanned segment: where it lies in the file, and what it holds (no block bytes). */
  record RecordAt(long start, long end, WalRecord.Decoded decoded) {}

  /**
   * Every record of the scanned file, in order, read again from disk: for an offline operation
   * (rollback) on a store no master runs on. The records were checked by {@link #scan}.
   */
  List<RecordAt> records() throws IOException {
    List<RecordAt> records = new ArrayList<>();
    ByteBuffer header = ByteBuffer.allocate(WalRecord.HEADER_BYTES);
    long position = HEADER_BYTES;
    while (position < end) {
      header.clear();
      readFully(channel, header, position);
      ByteBuffer payload = ByteBuffer.allocate(header.getInt(0));
      readFully(channel, payload, position + WalRecord.HEADER_BYTES);
      long next = position + WalRecord.HEADER_BYTES + payload.capacity();
      records.add(new RecordAt(position, next, WalRecord.decode(payload.array())));
      position = next;
    }
    return records;
  }

  /** The CRC32C of the file's first {@code length} bytes, read through the writer's channel (mapped). */
  int crcOfPrefix(long length) throws IOException {
    return crcOfPrefix(channel, length);
  }

  /** The CRC32C of a file's first {@code length} bytes (mapped, not copied). */
  static int crcOfPrefix(FileChannel channel, long length) throws IOException {
    CRC32C crc = new CRC32C();
    for (long at = 0; at < length; at += Integer.MAX_VALUE) {
      crc.update(channel.map(FileChannel.MapMode.READ_ONLY, at, Math.min(Integer.MAX_VALUE, length - at)));
    }
    return (int) crc.getValue();
  }

  /** The file's bytes from {@code offset} to its end, read-only (mapped), to judge damage there. */
  ByteBuffer bytesFrom(long offset) throws IOException {
    return channel.map(FileChannel.MapMode.READ_ONLY, offset, channel.size() - offset);
  }

  /** Cuts the file back to its valid end and makes that durable. */
  void truncateToEnd() throws IOException {
    channel.truncate(end);
    channel.force(true);
  }

  /**
   * Writes an encoded record after the valid end and flushes it to the device (fdatasync: the
   * data and the file size needed to read it back). Nothing becomes visible to readers until
   * {@link #publish}. On failure the file is cut back to the old end, so no half record stays.
   *
   * @return the record's start offset, for {@link #publish}
   */
  long writeDurably(ByteBuffer record) throws IOException {
    long start = end;
    try {
      writeFully(channel, record, start);
      channel.force(false);
    } catch (ClosedByInterruptException e) {
      // The interrupt closed the writer's channel: reopen it and undo the partial record, so the
      // store stays usable and the caller learns it was interrupted. The repair itself must not
      // be interrupted again, so the flag is cleared for it and restored after.
      Thread.interrupted();
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      relock();
      channel.truncate(start);
      channel.force(true);
      InterruptedIOException interrupted = new InterruptedIOException("write to " + path + " interrupted; nothing written");
      interrupted.initCause(e);
      Thread.currentThread().interrupt();
      throw interrupted;
    } catch (IOException e) {
      try {
        channel.truncate(start);
        channel.force(true);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return start;
  }

  /** Makes a record written by {@link #writeDurably} readable: indexes its blocks, moves the end. */
  void publish(long start, long recordEnd, EpochMark mark, List<StoredBlock> blocks) {
    long position = start + WalRecord.HEADER_BYTES + WalRecord.FIXED_PAYLOAD_BYTES;
    for (StoredBlock block : blocks) {
      position += 4;
      index.add(position, block.length());
      position += block.length();
    }
    end = recordEnd; // epoch entries, if any, follow the blocks
    lastMark = mark;
  }

  /**
   * Reads one block's bytes, {@link #length} of them, into {@code target} from {@code offset}
   * (the place of the block in an answer); the caller has checked the number is in this segment.
   */
  void read(long number, byte[] target, int offset) throws IOException {
    int slot = slot(number);
    reader.read(number, ByteBuffer.wrap(target, offset, index.length(slot)), index.position(slot));
  }

  /**
   * The read channel, held for an answer that sends ranges of this file ({@link #position},
   * {@link #length}): see {@link SegmentReader#hold}.
   */
  SharedReadChannel holdReader() throws IOException {
    return reader.hold();
  }

  /** Where the bytes of one block in this segment begin in its file. */
  long position(long number) {
    return index.position(slot(number));
  }

  /** Takes the writer's lock again after a descriptor of this file was closed. */
  private synchronized void relock() throws IOException {
    if (closed) {
      return; // the writer's channel is closed too: nothing to lock
    }
    try {
      writerLock.release(); // the OS lock is gone already; this clears the JVM's record of it
    } catch (IOException | RuntimeException e) {
      // a closed channel's lock is already released
    }
    writerLock = lock(channel, path);
  }

  /** Locks the whole file exclusively, or refuses naming it: another process writes it. */
  private static FileLock lock(FileChannel channel, Path path) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IOException("storage directory " + path.getParent() + " is in use by another master (" + path
          + " is locked, though LOCK was not): each master needs its own storage_path");
    }
    return lock;
  }

  /** The byte length of one block in this segment. */
  int length(long number) {
    return index.length(slot(number));
  }

  /** The index slot of a block in this segment. */
  private int slot(long number) {
    return (int) (number - baseBlock - 1);
  }

  boolean contains(long number) {
    return number > baseBlock && number <= lastBlock();
  }

  int blockCount() {
    return index.count();
  }

  /** The chain's last block at this segment's end ({@code baseBlock} when it holds none). */
  long lastBlock() {
    return baseBlock + index.count();
  }

  /**
   * The epoch entries of one record: each replaces the entry of its epoch; a reset (kind 3) first
   * drops every entry of a higher epoch than its own.
   */
  record EpochUpdate(List<byte[]> entries, boolean reset) {}

  /** The epoch entries the scan found, record by record in order; handed over once (the store keeps them). */
  List<EpochUpdate> takeEpochUpdates() {
    List<EpochUpdate> taken = List.copyOf(epochUpdates);
    epochUpdates.clear();
    return taken;
  }

  EpochMark lastMark() {
    return lastMark;
  }

  /** Bytes of valid data in the file. */
  long size() {
    return end;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    try {
      reader.close(); // closes the read channel, unless answers being sent still hold it
    } finally {
      synchronized (this) { // not around reader.close(): a reopen there takes this monitor to relock
        channel.close();
      }
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }

  static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new EOFException("unexpected end of " + "segment at byte " + at);
      }
      at += n;
    }
  }
}
