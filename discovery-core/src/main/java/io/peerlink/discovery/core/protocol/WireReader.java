package io.peerlink.discovery.core.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads protobuf wire format from a slice of an array. Every length is checked against the bytes
 * left before anything is allocated, so a message never costs more memory than its own size.
 *
 * <p>Unknown fields of every wire type are skipped, groups included (nesting is bounded), as
 * protobuf-java and Go do; a field with a known number but an unexpected wire type is unknown too,
 * as there. Offsets in error messages count from the start of the outermost message.
 *
 * <p>A reader made {@link #owning} reads an array handed over for good (a received frame): the
 * encoding a message retains ({@link #keep}) is then a view of that array, not a copy. Any other
 * reader's array may be reused by its caller (a store's record buffer), so what is kept is copied.
 * The decision is made here only, for every retaining schema.
 */
final class WireReader {

  /** protobuf-java's default recursion limit, applied to nested groups. */
  static final int MAX_GROUP_DEPTH = 100;
  private static final long MAX_TAG = 0xFFFF_FFFFL; // field number up to 2^29-1, wire type 0-7

  private final byte[] buf;
  private final int limit;
  private final boolean owned;
  private final WireReader root; // the outermost reader, which counts the bytes viewed
  private long viewed; // on the root: bytes of buf that kept encodings view
  private int pos;
  private int tagStart;

  /** A reader of an array its caller may change afterwards: what messages keep is copied. */
  WireReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  /** A reader of {@code buf[offset, limit)}, which its caller may change afterwards. */
  WireReader(byte[] buf, int offset, int limit) {
    this(buf, offset, limit, false, null);
  }

  private WireReader(byte[] buf, int offset, int limit, boolean owned, WireReader root) {
    this.buf = buf;
    this.pos = offset;
    this.limit = limit;
    this.owned = owned;
    this.root = root == null ? this : root;
  }

  /**
   * A reader of an array the decoded messages may keep views of: the caller hands it over and
   * never changes it again.
   */
  static WireReader owning(byte[] buf) {
    return new WireReader(buf, 0, buf.length, true, null);
  }

  /** The bytes of the outermost array that {@link #keep} returned as views, so far. */
  long viewedBytes() {
    return root.viewed;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  byte[] buffer() {
    return buf;
  }

  /**
   * Reads a field tag.
   *
   * @return the tag: field number {@code << 3 |} wire type
   */
  int readTag() throws ProtocolException {
    tagStart = pos;
    long tag = readVarint();
    if (tag > MAX_TAG) {
      throw new ProtocolException("field tag " + Long.toUnsignedString(tag) + " at offset " + tagStart
          + " is out of range (field numbers go up to 2^29-1)");
    }
    int field = (int) (tag >>> 3);
    int wireType = (int) tag & 7;
    if (field == 0) {
      throw new ProtocolException("field number 0 at offset " + tagStart + " is invalid");
    }
    if (wireType > WireWriter.I32) {
      throw new ProtocolException("invalid wire type " + wireType + " for field " + field + " at offset " + tagStart);
    }
    return (int) tag;
  }

  static int fieldOf(int tag) {
    return tag >>> 3;
  }

  static int wireTypeOf(int tag) {
    return tag & 7;
  }

  long readVarint() throws ProtocolException {
    int start = pos;
    long v = 0;
    for (int i = 0; i < 10; i++) {
      if (pos >= limit) {
        throw new ProtocolException("truncated varint at offset " + start);
      }
      int b = buf[pos++] & 0xFF;
      if (i == 9 && b > 1) {
        // Go's protowire rejects a 10th byte above 1 (an 11th byte, or bits past 2^64); so do we.
        throw new ProtocolException("varint at offset " + start + " overflows 64 bits");
      }
      v |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new AssertionError("unreachable: the 10th byte ends or overflows the varint");
  }

  /** A length prefix, checked against the bytes left in this slice. */
  int readLength() throws ProtocolException {
    int start = pos;
    long len = readVarint();
    int left = limit - pos;
    if (len > 0xFFFF_FFFFL || len < 0) {
      // protobuf-java keeps the low 32 bits of such a length; Go rejects it, and so do we.
      throw new ProtocolException("length " + Long.toUnsignedString(len) + " at offset " + start
          + " is out of range (over 32 bits)");
    }
    if (len > left) {
      throw new ProtocolException("length " + Long.toUnsignedString(len) + " at offset " + start
          + " exceeds the " + left + " bytes left");
    }
    return (int) len;
  }

  byte[] readBytes() throws ProtocolException {
    int at = skipBytes();
    return Arrays.copyOfRange(buf, at, pos);
  }

  /**
   * Moves past a bytes value without copying it.
   *
   * @return the value's offset in {@link #buffer()}; it ends at {@link #position()}
   */
  int skipBytes() throws ProtocolException {
    int len = readLength();
    int at = pos;
    pos += len;
    return at;
  }

  /** A proto3 string: must be valid UTF-8, as protobuf-java and Go require. */
  String readString() throws ProtocolException {
    int start = pos;
    int len = readLength();
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, pos, len)).toString();
      pos += len;
      return s;
    } catch (CharacterCodingException e) {
      throw new ProtocolException("string at offset " + start + " is not valid UTF-8");
    }
  }

  /**
   * The bytes from {@code from} to the position, to be kept by a message: a view of the array
   * when this reader owns it, else a copy.
   */
  ByteSlice keep(int from) {
    int length = pos - from;
    if (!owned) {
      return new ByteSlice(Arrays.copyOfRange(buf, from, pos), 0, length);
    }
    root.viewed += length;
    return new ByteSlice(buf, from, length);
  }

  /** A reader over the next length-delimited body; this reader moves past it. */
  WireReader readMessage() throws ProtocolException {
    int len = readLength();
    WireReader sub = new WireReader(buf, pos, pos + len, owned, root);
    pos += len;
    return sub;
  }

  /** Skips the value of a field whose tag was just read. */
  void skip(int tag) throws ProtocolException {
    switch (wireTypeOf(tag)) {
      case WireWriter.VARINT:
        readVarint();
        return;
      case WireWriter.I64:
        skipRaw(8, tag);
        return;
      case WireWriter.LEN: {
        int len = readLength(); // not `pos += readLength()`: that adds to the old position
        pos += len;
        return;
      }
      case WireWriter.I32:
        skipRaw(4, tag);
        return;
      case WireWriter.SGROUP:
        skipGroup(fieldOf(tag));
        return;
      case WireWriter.EGROUP:
        throw new ProtocolException("end-group tag for field " + fieldOf(tag) + " at offset " + tagStart
            + " without a matching start-group");
      default:
        throw new ProtocolException("invalid wire type " + wireTypeOf(tag) + " at offset " + tagStart);
    }
  }

  private void skipRaw(int n, int tag) throws ProtocolException {
    if (limit - pos < n) {
      throw new ProtocolException("truncated " + n * 8 + "-bit field " + fieldOf(tag) + " at offset " + tagStart);
    }
    pos += n;
  }

  // Iterative, with an explicit stack of open group numbers, so nesting cannot overflow the Java stack.
  private void skipGroup(int field) throws ProtocolException {
    // Starts small and grows with the nesting: a fixed MAX_GROUP_DEPTH array per group made an
    // empty group (2 bytes, 0b 0c) cost 416 bytes of garbage.
    int[] open = new int[4];
    int depth = 0;
    open[depth++] = field;
    int groupStart = tagStart;
    while (depth > 0) {
      if (!hasMore()) {
        throw new ProtocolException("group for field " + open[depth - 1] + " is not closed (started at offset "
            + groupStart + ")");
      }
      int tag = readTag();
      int wt = wireTypeOf(tag);
      if (wt == WireWriter.SGROUP) {
        if (depth == MAX_GROUP_DEPTH) {
          throw new ProtocolException("groups nested deeper than " + MAX_GROUP_DEPTH + " at offset " + tagStart);
        }
        if (depth == open.length) {
          open = Arrays.copyOf(open, Math.min(2 * open.length, MAX_GROUP_DEPTH));
        }
        open[depth++] = fieldOf(tag);
      } else if (wt == WireWriter.EGROUP) {
        if (fieldOf(tag) != open[depth - 1]) {
          throw new ProtocolException("end-group tag for field " + fieldOf(tag) + " at offset " + tagStart
              + " closes the group of field " + open[depth - 1]);
        }
        depth--;
      } else {
        skip(tag);
      }
    }
  }
}
