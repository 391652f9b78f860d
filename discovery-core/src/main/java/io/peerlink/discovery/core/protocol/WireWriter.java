package io.peerlink.discovery.core.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Writes protobuf wire format into an array sized exactly beforehand (as protobuf-java does with
 * {@code getSerializedSize()}), so encoding allocates once. The {@code *Size} helpers compute the
 * sizes the matching writers produce. Scalars equal to zero/empty are omitted, as proto3 does for
 * fields without presence.
 */
final class WireWriter {

  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int SGROUP = 3;
  static final int EGROUP = 4;
  static final int I32 = 5;

  private final byte[] buf;
  private int pos;

  private WireWriter(int size) {
    buf = new byte[size];
  }

  /** A writer for a message of exactly {@code size} bytes. */
  static WireWriter ofSize(long size) {
    return new WireWriter(checkedSize(size));
  }

  /** A message size as an int, or an error when it cannot fit in a Java array. */
  static int checkedSize(long size) {
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("message of " + size + " bytes is too large to encode");
    }
    return (int) size;
  }

  /** The bytes; checks that exactly the announced size was written. */
  byte[] finish() {
    if (pos != buf.length) {
      throw new IllegalStateException("encoder wrote " + pos + " bytes, computed " + buf.length);
    }
    return buf;
  }

  static int varintSize(long v) {
    return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
  }

  static int tagSize(int field) {
    return varintSize(((long) field) << 3);
  }

  void tag(int field, int wireType) {
    varint((((long) field) << 3) | wireType);
  }

  void varint(long v) {
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void raw(byte[] b) {
    raw(b, 0, b.length);
  }

  void raw(byte[] b, int offset, int length) {
    System.arraycopy(b, offset, buf, pos, length);
    pos += length;
  }

  /** Leaves {@code length} bytes for the caller to fill in the array; where they begin. */
  int skip(int length) {
    int at = pos;
    pos += length;
    return at;
  }

  /** How many bytes were written so far. */
  int position() {
    return pos;
  }

  /** The array being written: a frame sends pieces of it ({@link EncodedBlocksRange}). */
  byte[] array() {
    return buf;
  }

  // uint64 without presence: omitted when 0.
  static int uint64Size(int field, long v) {
    return v == 0 ? 0 : tagSize(field) + varintSize(v);
  }

  void uint64(int field, long v) {
    if (v != 0) {
      tag(field, VARINT);
      varint(v);
    }
  }

  // uint32 carried in an int: written as the unsigned 32-bit value, as protobuf-java does.
  static int uint32Size(int field, int v) {
    return uint64Size(field, v & 0xFFFF_FFFFL);
  }

  void uint32(int field, int v) {
    uint64(field, v & 0xFFFF_FFFFL);
  }

  // bytes/string without presence: omitted when empty.
  static int bytesSize(int field, byte[] b) {
    return b.length == 0 ? 0 : lenFieldSize(field, b.length);
  }

  void bytes(int field, byte[] b) {
    bytes(field, b, 0, b.length);
  }

  void bytes(int field, byte[] b, int offset, int length) {
    if (length != 0) {
      tag(field, LEN);
      varint(length);
      raw(b, offset, length);
    }
  }

  /** Size of a length-delimited field that is always written (sub-message, oneof member). */
  static int lenFieldSize(int field, long bodySize) {
    return tagSize(field) + varintSize(bodySize) + (int) bodySize;
  }

  /** Header of a length-delimited field whose body the caller writes next. */
  void lenHeader(int field, int bodySize) {
    tag(field, LEN);
    varint(bodySize);
  }

  /** The UTF-8 length of {@code s}, computed without encoding it (lone surrogates count as '?'). */
  static int utf8Length(String s) {
    int n = s.length();
    long size = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          size += 1;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          size += 2; // 4 bytes for 2 chars
          i++;
        } else if (Character.isSurrogate(c)) {
          size += 0; // encoded as '?', 1 byte
        } else {
          size += 2;
        }
      }
    }
    return checkedSize(size);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
