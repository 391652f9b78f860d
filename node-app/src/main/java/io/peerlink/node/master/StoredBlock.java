package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One block as the store sees it: its number and opaque bytes (the encoded BlockData). The store
 * does not decode blocks; it only keeps numbers contiguous.
 *
 * <p>Immutable. A block's bytes are made once and then moved, not copied, on the way to the disk
 * (issue 15: a 100 KB block used to be copied four times): {@link #of} keeps a verified
 * {@link BlockData} and writes its bytes straight into the record ({@link #writeTo}), and
 * {@link #owning} takes an array nobody else holds. The constructor copies the array it is given,
 * for a caller that keeps its own.
 */
final class StoredBlock {
  private final long number;
  /** The bytes, owned by this block; null when {@link #block} holds them. */
  private final byte[] data;
  /** A block whose encoding is the bytes, or null. */
  private final BlockData block;
  private final int length;

  /** A block of a copy of {@code data}: later changes to the caller's array do not reach it. */
  StoredBlock(long number, byte[] data) {
    this(number, data.clone(), null);
  }

  private StoredBlock(long number, byte[] data, BlockData block) {
    this.number = number;
    this.data = data;
    this.block = block;
    this.length = data != null ? data.length : block.encodedSize();
  }

  /** A block of {@code data} itself, not a copy: the caller hands it over and never changes it. */
  static StoredBlock owning(long number, byte[] data) {
    return new StoredBlock(number, data, null);
  }

  /** A block whose bytes are {@code block}'s encoding, written into the record without a copy first. */
  static StoredBlock of(long number, BlockData block) {
    return new StoredBlock(number, null, block);
  }

  long number() {
    return number;
  }

  /** A copy of the bytes. */
  byte[] data() {
    return data != null ? data.clone() : block.encode();
  }

  /** The block these bytes encode when it is at hand (no decoding needed), else null. */
  BlockData decoded() {
    return block;
  }

  /** The length of the data, without copying it. */
  int length() {
    return length;
  }

  /**
   * Writes the data into a buffer without a copy first.
   *
   * @throws IllegalStateException when the block wrote other than {@link #length()} bytes (the
   *     record's framing counts on it)
   */
  void writeTo(ByteBuffer buffer) {
    if (data != null) {
      buffer.put(data);
      return;
    }
    int start = buffer.position();
    block.encodeTo(buffer);
    if (buffer.position() - start != length) {
      throw new IllegalStateException("block " + Long.toUnsignedString(number) + " wrote " + (buffer.position() - start)
          + " bytes, announced " + length);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredBlock other && number == other.number && Arrays.equals(bytes(), other.bytes());
  }

  @Override
  public int hashCode() {
    return Long.hashCode(number) * 31 + Arrays.hashCode(bytes());
  }

  /** The bytes, without a copy when this block owns them (for equality only). */
  private byte[] bytes() {
    return data != null ? data : block.encode();
  }

  @Override
  public String toString() {
    return "StoredBlock[number=" + Long.toUnsignedString(number) + ", bytes=" + length + "]";
  }
}
