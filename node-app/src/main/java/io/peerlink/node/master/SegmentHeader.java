package io.peerlink.node.master;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The fixed header that opens every segment file: it checkpoints the chain at the segment's
 * start, so a segment can be read without the ones before it (they may have been deleted by
 * retention).
 *
 * <pre>
 * header = "PLCHAIN1" | u32 version(=1) | u64 baseBlock | u64 epoch | u64 epochStartMs
 *        | u64 boundaryBlock | u32 crc32c(preceding 44 bytes)                  (48 bytes)
 * </pre>
 *
 * @param baseBlock the last block before the segment's first
 * @param mark the epoch mark in force at the segment's start
 */
record SegmentHeader(long baseBlock, EpochMark mark) {
  static final int BYTES = 48;
  static final int FORMAT_VERSION = 1;
  private static final byte[] MAGIC = {'P', 'L', 'C', 'H', 'A', 'I', 'N', '1'};

  /** The header's bytes, ready to write at offset 0. */
  ByteBuffer encode() {
    ByteBuffer header = ByteBuffer.allocate(BYTES);
    header.put(MAGIC).putInt(FORMAT_VERSION).putLong(baseBlock)
        .putLong(mark.epoch()).putLong(mark.epochStartMs()).putLong(mark.boundaryBlock());
    header.putInt(WalRecord.crc(header.array(), 0, BYTES - 4));
    header.flip();
    return header;
  }

  /**
   * Checks and parses the {@link #BYTES} bytes read from the start of {@code path}.
   *
   * @throws CorruptLogException when the magic, the CRC or the format version does not check out
   */
  static SegmentHeader decode(Path path, ByteBuffer header) throws CorruptLogException {
    byte[] bytes = header.array();
    if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptLogException(path, 0, "no PLCHAIN1 header: not a chain log segment");
    }
    if (header.getInt(BYTES - 4) != WalRecord.crc(bytes, 0, BYTES - 4)) {
      throw new CorruptLogException(path, 0, "header CRC32C mismatch");
    }
    int version = header.getInt(8);
    if (version != FORMAT_VERSION) {
      throw new CorruptLogException(path, 8, "format version " + version + ", this build reads " + FORMAT_VERSION);
    }
    EpochMark mark = new EpochMark(header.getLong(20), header.getLong(28), header.getLong(36));
    return new SegmentHeader(header.getLong(12), mark);
  }
}
