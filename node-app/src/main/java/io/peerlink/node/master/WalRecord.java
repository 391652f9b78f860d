package io.peerlink.node.master;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one log record, and its checks.
 *
 * <pre>
 * record  = u32 payloadLength | u32 crc32c(payload) | payload          (big-endian)
 * payload = u8 kind(1, 2 or 3) | u64 epoch | u64 epochStartMs | u64 boundaryBlock
 *         | u64 firstBlock | u32 count | count x (u32 length | length bytes)
 *         [kind 2, 3: | u32 n | n x (u32 length | EpochBoundaryData protobuf bytes)]
 * </pre>
 *
 * One record is one atomic write: a commit (one block), a drained run of buffered commits, a
 * whole sync_blocks batch, or an epoch change (count 0). Kind 2 also carries epoch entries (an
 * epoch's start, boundary block and committee) written with the change that began the epoch, or
 * all of them at the start of a new segment, so retention never loses them. Kind 3 is an
 * operator's epoch reset ({@code peerlink store set-epoch}): no blocks, the mark it sets (which
 * may be lower than the one before: the only record that moves an epoch back), and the entry of
 * that epoch; replaying it drops every entry kept for a higher epoch. Builds before kind 3 refuse
 * such a log as damaged rather than misread it. The CRC covers the
 * whole payload, so a record is either entirely there or detected as torn.
 */
final class WalRecord {
  static final int HEADER_BYTES = 8;
  static final byte KIND_BLOCKS = 1;
  static final byte KIND_BLOCKS_AND_EPOCHS = 2;
  static final byte KIND_EPOCH_RESET = 3;
  /** kind + mark + firstBlock + count. */
  static final int FIXED_PAYLOAD_BYTES = 1 + 8 * 3 + 8 + 4;
  /** Larger than any batch we write; a bigger length on disk is garbage, never an allocation. */
  static final int MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

  private WalRecord() {}

  /** The payload size of a record holding these blocks. */
  static long payloadSize(List<StoredBlock> blocks) {
    return payloadSize(blocks, List.of());
  }

  /** The payload size of a record holding these blocks and epoch entries. */
  static long payloadSize(List<StoredBlock> blocks, List<byte[]> epochs) {
    long size = FIXED_PAYLOAD_BYTES;
    for (StoredBlock block : blocks) {
      size += 4L + block.length();
    }
    if (!epochs.isEmpty()) {
      size += 4;
      for (byte[] epoch : epochs) {
        size += 4L + epoch.length;
      }
    }
    return size;
  }

  /**
   * Encodes a record, header included, ready to write.
   *
   * @throws IllegalArgumentException when the payload would exceed {@link #MAX_PAYLOAD_BYTES}
   */
  static ByteBuffer encode(EpochMark mark, long firstBlock, List<StoredBlock> blocks) {
    return encode(mark, firstBlock, blocks, List.of());
  }

  /** As {@link #encode(EpochMark, long, List)}, with epoch entries (a kind-2 record when there are any). */
  static ByteBuffer encode(EpochMark mark, long firstBlock, List<StoredBlock> blocks, List<byte[]> epochs) {
    return encode(mark, firstBlock, blocks, epochs, ByteBuffer::allocate);
  }

  /**
   * As {@link #encode(EpochMark, long, List, List)}, into the buffer {@code buffers} gives for the
   * record's size (position 0, limit that size, big-endian): the writer's reused direct buffer
   * ({@link RecordBuffer}), so each block's bytes are copied once, into the record.
   */
  static ByteBuffer encode(EpochMark mark, long firstBlock, List<StoredBlock> blocks, List<byte[]> epochs,
      IntFunction<ByteBuffer> buffers) {
    return encode(epochs.isEmpty() ? KIND_BLOCKS : KIND_BLOCKS_AND_EPOCHS, mark, firstBlock, blocks, epochs, buffers);
  }

  /** An epoch reset (kind 3): the mark it sets and the entry of its epoch, no blocks. */
  static ByteBuffer encodeReset(EpochMark mark, long lastBlock, byte[] entry) {
    return encode(KIND_EPOCH_RESET, mark, lastBlock + 1, List.of(), List.of(entry), ByteBuffer::allocate);
  }

  private static ByteBuffer encode(byte kind, EpochMark mark, long firstBlock, List<StoredBlock> blocks,
      List<byte[]> epochs, IntFunction<ByteBuffer> buffers) {
    long payloadSize = payloadSize(blocks, epochs);
    if (payloadSize > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("a write of " + blocks.size() + " blocks is " + payloadSize
          + " bytes; one write holds at most " + MAX_PAYLOAD_BYTES + " bytes: send fewer blocks at once");
    }
    ByteBuffer buffer = buffers.apply(HEADER_BYTES + (int) payloadSize);
    buffer.position(HEADER_BYTES);
    buffer.put(kind);
    buffer.putLong(mark.epoch());
    buffer.putLong(mark.epochStartMs());
    buffer.putLong(mark.boundaryBlock());
    buffer.putLong(firstBlock);
    buffer.putInt(blocks.size());
    for (StoredBlock block : blocks) {
      buffer.putInt(block.length());
      block.writeTo(buffer);
    }
    if (!epochs.isEmpty()) {
      buffer.putInt(epochs.size());
      for (byte[] epoch : epochs) {
        buffer.putInt(epoch.length);
        buffer.put(epoch);
      }
    }
    buffer.flip();
    if (buffer.limit() != HEADER_BYTES + payloadSize) {
      throw new IllegalStateException("record of " + (buffer.limit() - HEADER_BYTES) + " payload bytes, computed "
          + payloadSize);
    }
    CRC32C crc = new CRC32C();
    crc.update(buffer.duplicate().position(HEADER_BYTES)); // works on a direct buffer without copying it out
    buffer.putInt(0, (int) payloadSize);
    buffer.putInt(4, (int) crc.getValue());
    return buffer;
  }

  /** The CRC32C of a byte range, as stored (an unsigned 32-bit value in an int). */
  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /**
   * A decoded payload: the mark after the record, and where each block's bytes lie within the
   * payload (so the store can index them by file position without copying).
   */
  record Decoded(EpochMark mark, long firstBlock, int[] offsets, int[] lengths, List<byte[]> epochs, boolean reset) {
    int count() {
      return offsets.length;
    }
  }

  /**
   * Decodes a payload whose CRC already matched.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  static Decoded decode(byte[] payload) {
    if (payload.length < FIXED_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload of " + payload.length + " bytes is shorter than the "
          + FIXED_PAYLOAD_BYTES + "-byte fixed part");
    }
    ByteBuffer in = ByteBuffer.wrap(payload);
    byte kind = in.get();
    if (kind != KIND_BLOCKS && kind != KIND_BLOCKS_AND_EPOCHS && kind != KIND_EPOCH_RESET) {
      throw new IllegalArgumentException("unknown record kind " + kind);
    }
    EpochMark mark = new EpochMark(in.getLong(), in.getLong(), in.getLong());
    long firstBlock = in.getLong();
    int count = in.getInt();
    // Each block needs at least its 4-byte length: this bounds the arrays by the payload size.
    if (count < 0 || (long) count * 4 > in.remaining()) {
      throw new IllegalArgumentException("block count " + Integer.toUnsignedString(count)
          + " does not fit in the " + in.remaining() + " remaining bytes");
    }
    int[] offsets = new int[count];
    int[] lengths = new int[count];
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 4) {
        throw new IllegalArgumentException("block " + i + " of " + count + ": length cut off");
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException("block " + i + " of " + count + ": length "
            + Integer.toUnsignedString(length) + " exceeds the " + in.remaining() + " remaining bytes");
      }
      offsets[i] = in.position();
      lengths[i] = length;
      in.position(in.position() + length);
    }
    List<byte[]> epochs = kind == KIND_BLOCKS ? List.of() : epochs(in);
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " trailing bytes after " + count + " blocks");
    }
    if (kind == KIND_EPOCH_RESET && (count != 0 || epochs.size() != 1)) {
      throw new IllegalArgumentException("an epoch reset holds no block and one epoch entry, not " + count + " and "
          + epochs.size());
    }
    return new Decoded(mark, firstBlock, offsets, lengths, epochs, kind == KIND_EPOCH_RESET);
  }

  private static List<byte[]> epochs(ByteBuffer in) {
    if (in.remaining() < 4) {
      throw new IllegalArgumentException("epoch entry count cut off");
    }
    int n = in.getInt();
    if (n < 0 || (long) n * 4 > in.remaining()) {
      throw new IllegalArgumentException("epoch entry count " + Integer.toUnsignedString(n)
          + " does not fit in the " + in.remaining() + " remaining bytes");
    }
    List<byte[]> epochs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = in.remaining() < 4 ? -1 : in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException("epoch entry " + i + " of " + n + ": length cut off or too long");
      }
      byte[] entry = new byte[length];
      in.get(entry);
      epochs.add(entry);
    }
    return epochs;
  }
}
