package io.peerlink.node.master;

import java.util.Arrays;

/**
 * One block as the store sees it: its number and opaque bytes (the encoded BlockData). The store
 * does not decode blocks; it only keeps numbers contiguous.
 */
record StoredBlock(long number, byte[] data) {
  StoredBlock {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The length of the data, without copying it. */
  int length() {
    return data.length;
  }

  /** Writes the data into a buffer without a defensive copy. */
  void writeTo(java.nio.ByteBuffer buffer) {
    buffer.put(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredBlock other && number == other.number && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(number) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "StoredBlock[number=" + Long.toUnsignedString(number) + ", bytes=" + data.length + "]";
  }
}
