package io.peerlink.transport.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * How frames are delimited on a stream. The seed system uses two framings (see PROTOCOL.md):
 * {@link #UINT32_BIG_ENDIAN} on the query channel and {@link #UVARINT} on the block channel.
 *
 * <p>Every decoder here checks the announced length against the maximum before anything is
 * allocated for the payload.
 */
public enum FrameFormat {

  /** A 4-byte big-endian unsigned length, then the payload: the query channel. */
  UINT32_BIG_ENDIAN {
    @Override
    public int headerLength(int payloadLength) {
      return 4;
    }

    @Override
    public int writeHeader(int payloadLength, byte[] dst, int offset) {
      dst[offset] = (byte) (payloadLength >>> 24);
      dst[offset + 1] = (byte) (payloadLength >>> 16);
      dst[offset + 2] = (byte) (payloadLength >>> 8);
      dst[offset + 3] = (byte) payloadLength;
      return 4;
    }

    @Override
    public long decodeHeader(ByteBuffer in, int maxFrameLength) throws FrameFormatException {
      int p = in.position();
      if (in.limit() - p < 4) {
        return NEED_MORE;
      }
      long length = in.getInt(p) & 0xFFFF_FFFFL;
      checkLength(length, maxFrameLength);
      return ((long) 4 << 32) | length;
    }

    @Override
    long readLength(InputStream in, int maxFrameLength) throws IOException {
      int b0 = in.read();
      if (b0 < 0) {
        return -1;
      }
      long length = (long) b0 << 24;
      for (int shift = 16; shift >= 0; shift -= 8) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("stream ended inside a 4-byte frame header");
        }
        length |= (long) b << shift;
      }
      checkLength(length, maxFrameLength);
      return length;
    }
  },

  /** A protobuf/Go unsigned varint length, then the payload: the block channel. */
  UVARINT {
    @Override
    public int headerLength(int payloadLength) {
      int n = 1;
      int v = payloadLength;
      while ((v & ~0x7F) != 0) {
        v >>>= 7;
        n++;
      }
      return n;
    }

    @Override
    public int writeHeader(int payloadLength, byte[] dst, int offset) {
      int i = offset;
      int v = payloadLength;
      while ((v & ~0x7F) != 0) {
        dst[i++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      dst[i++] = (byte) v;
      return i - offset;
    }

    @Override
    public long decodeHeader(ByteBuffer in, int maxFrameLength) throws FrameFormatException {
      int p = in.position();
      int limit = in.limit();
      long length = 0;
      for (int i = 0; i < MAX_VARINT_BYTES; i++) {
        if (p + i >= limit) {
          return NEED_MORE;
        }
        int b = in.get(p + i) & 0xFF;
        length = accumulate(length, b, i, maxFrameLength);
        if ((b & 0x80) == 0) {
          return ((long) (i + 1) << 32) | length;
        }
      }
      throw new FrameFormatException("varint frame length longer than " + MAX_VARINT_BYTES + " bytes");
    }

    @Override
    long readLength(InputStream in, int maxFrameLength) throws IOException {
      long length = 0;
      for (int i = 0; i < MAX_VARINT_BYTES; i++) {
        int b = in.read();
        if (b < 0) {
          if (i == 0) {
            return -1;
          }
          throw new EOFException("stream ended inside a varint frame header");
        }
        length = accumulate(length, b, i, maxFrameLength);
        if ((b & 0x80) == 0) {
          return length;
        }
      }
      throw new FrameFormatException("varint frame length longer than " + MAX_VARINT_BYTES + " bytes");
    }

    // Rejects as soon as the partial value passes the cap, so a 10-byte varint never overflows.
    private long accumulate(long length, int b, int index, int maxFrameLength) throws FrameFormatException {
      long v = length | ((long) (b & 0x7F) << (7 * index));
      if (index >= 5 && (b & 0x7F) != 0 || v > maxFrameLength) {
        throw new FrameFormatException("frame length " + (index >= 5 ? "over 2^35" : Long.toString(v))
            + " exceeds the maximum of " + maxFrameLength + " bytes");
      }
      return v;
    }
  };

  /** Returned by {@link #decodeHeader} when the buffer does not yet hold a whole header. */
  public static final long NEED_MORE = -1;

  /** Go's {@code binary.MaxVarintLen64}. */
  public static final int MAX_VARINT_BYTES = 10;

  /** How many header bytes a payload of this length gets. */
  public abstract int headerLength(int payloadLength);

  /**
   * Writes the header for a payload of this length.
   *
   * @return the number of bytes written
   */
  public abstract int writeHeader(int payloadLength, byte[] dst, int offset);

  /**
   * Reads a header from {@code in}, starting at its position, without moving the position.
   *
   * @return {@link #NEED_MORE} when incomplete; otherwise the header length in the upper 32 bits
   *     and the payload length in the lower 32 bits
   * @throws FrameFormatException when the header is malformed or announces more than
   *     {@code maxFrameLength} bytes
   */
  public abstract long decodeHeader(ByteBuffer in, int maxFrameLength) throws FrameFormatException;

  abstract long readLength(InputStream in, int maxFrameLength) throws IOException;

  /** The header length from a {@link #decodeHeader} result. */
  public static int headerLengthOf(long decoded) {
    return (int) (decoded >>> 32);
  }

  /** The payload length from a {@link #decodeHeader} result. */
  public static int payloadLengthOf(long decoded) {
    return (int) decoded;
  }

  /** Header and payload in one array, ready for a single write. */
  public byte[] encode(byte[] payload) {
    byte[] out = new byte[headerLength(payload.length) + payload.length];
    int h = writeHeader(payload.length, out, 0);
    System.arraycopy(payload, 0, out, h, payload.length);
    return out;
  }

  /**
   * Reads one frame from a blocking stream. The payload buffer grows with the bytes received, so
   * a truncated frame costs memory in proportion to what was sent, not to what its header announced.
   *
   * @return the payload, or null when the stream ended cleanly between frames
   * @throws EOFException when the stream ended inside a frame
   * @throws FrameFormatException when the header is malformed or too long
   */
  public byte[] readFrame(InputStream in, int maxFrameLength) throws IOException {
    long length = readLength(in, maxFrameLength);
    if (length < 0) {
      return null;
    }
    int total = (int) length;
    // Grown as bytes arrive rather than sized from the header: a peer that announces the cap and
    // sends nothing more costs READ_CHUNK bytes, not the cap (found by FrameFormatFuzzTest).
    byte[] payload = new byte[Math.min(total, READ_CHUNK)];
    int off = 0;
    while (off < total) {
      if (off == payload.length) {
        payload = Arrays.copyOf(payload, (int) Math.min(total, 2L * payload.length));
      }
      int n = in.read(payload, off, payload.length - off);
      if (n < 0) {
        throw new EOFException("stream ended after " + off + " of " + total + " frame bytes");
      }
      off += n;
    }
    return payload;
  }

  /** The first buffer readFrame allocates for a payload; it doubles from there as bytes arrive. */
  static final int READ_CHUNK = 64 * 1024;

  static void checkLength(long length, int maxFrameLength) throws FrameFormatException {
    if (length > maxFrameLength) {
      throw new FrameFormatException("frame length " + length + " exceeds the maximum of " + maxFrameLength + " bytes");
    }
  }
}
