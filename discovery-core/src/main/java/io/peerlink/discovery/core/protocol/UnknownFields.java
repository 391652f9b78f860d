package io.peerlink.discovery.core.protocol;

import java.util.Arrays;

/**
 * The fields of a message its reader did not know (a later generation's, or another
 * implementation's), kept as the raw bytes they came in (tags included, in their order) and
 * written back after the known fields, so a message passes through unchanged. Immutable.
 */
public final class UnknownFields {

  static final byte[] NO_BYTES = new byte[0];

  /** No unknown fields. */
  public static final UnknownFields EMPTY = new UnknownFields(NO_BYTES);

  private final byte[] bytes;

  private UnknownFields(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Unknown fields from their wire bytes (tag, value, tag, value, ...); the array is copied. The
   * bytes are not checked here: decoding a message that carries them checks them.
   */
  public static UnknownFields of(byte[] wireBytes) {
    return wireBytes == null || wireBytes.length == 0 ? EMPTY : new UnknownFields(wireBytes.clone());
  }

  /** The wire bytes, a copy. */
  public byte[] toByteArray() {
    return bytes.length == 0 ? NO_BYTES : bytes.clone();
  }

  /** The number of wire bytes. */
  public int size() {
    return bytes.length;
  }

  /** Whether there are none. */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  byte[] bytes() {
    return bytes;
  }

  /** Null becomes {@link #EMPTY}. */
  static UnknownFields orEmpty(UnknownFields u) {
    return u == null ? EMPTY : u;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnknownFields && Arrays.equals(bytes, ((UnknownFields) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "UnknownFields[" + Text.hex(bytes) + "]";
  }

  /** Gathers the byte ranges of the unknown fields of one message as it is read. */
  static final class Collector {
    private byte[] buf = new byte[16];
    private int size;

    void add(byte[] from, int start, int end) {
      int n = end - start;
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(size + n, 2 * buf.length));
      }
      System.arraycopy(from, start, buf, size, n);
      size += n;
    }

    UnknownFields finish() {
      return new UnknownFields(Arrays.copyOf(buf, size));
    }
  }
}
