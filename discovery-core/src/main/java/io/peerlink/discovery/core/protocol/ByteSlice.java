package io.peerlink.discovery.core.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Immutable bytes held as a range of an array nobody writes: a decoded message's retained encoding,
 * a view of the received frame when the decoder owned it ({@link WireReader#keep}), and its fields
 * 12 and 13 as views of that encoding; so a 100 KB field is neither copied nor held twice
 * (issue 15). Equality and hash are by content, as {@link Arrays}' are.
 */
final class ByteSlice {
  static final ByteSlice EMPTY = new ByteSlice(UnknownFields.NO_BYTES, 0, 0);

  private final byte[] array;
  private final int offset;
  private final int length;

  /** A view of {@code array[offset, offset + length)}, which the caller never writes again. */
  ByteSlice(byte[] array, int offset, int length) {
    this.array = array;
    this.offset = offset;
    this.length = length;
  }

  /** A built message's field: a copy of {@code b}, null as empty. */
  static ByteSlice copyOf(byte[] b) {
    return b == null || b.length == 0 ? EMPTY : new ByteSlice(b.clone(), 0, b.length);
  }

  int length() {
    return length;
  }

  /** The bytes {@code [at, at + length)} of this slice, as a view of the same array. */
  ByteSlice slice(int at, int length) {
    return new ByteSlice(array, offset + at, length);
  }

  /** The array viewed (tests: whether a decoded message shares the frame). */
  byte[] array() {
    return array;
  }

  /** Where the bytes start in {@link #array()}. */
  int offset() {
    return offset;
  }

  /** The bytes, in a fresh array the caller may keep. */
  byte[] toArray() {
    return length == 0 ? UnknownFields.NO_BYTES : Arrays.copyOfRange(array, offset, offset + length);
  }

  /** As a proto3 bytes field {@code field}: omitted when empty. */
  void write(int field, WireWriter w) {
    w.bytes(field, array, offset, length);
  }

  /** The bytes as they are, without a tag: a message's retained encoding. */
  void writeRaw(WireWriter w) {
    w.raw(array, offset, length);
  }

  /** Puts the bytes into {@code out} at its position. */
  void putTo(ByteBuffer out) {
    out.put(array, offset, length);
  }

  String hex() {
    return Text.hex(array, offset, length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteSlice && Arrays.equals(array, offset, offset + length,
        ((ByteSlice) o).array, ((ByteSlice) o).offset, ((ByteSlice) o).offset + ((ByteSlice) o).length);
  }

  /** {@link Arrays#hashCode(byte[])} of the bytes. */
  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + array[i];
    }
    return h;
  }
}
