package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peerlink.transport.api.testing.AllocationMeter;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes both frame decoders with arbitrary bytes as a stream: {@link FrameFormat#decodeHeader}
 * (what the non-blocking transports call on a growing buffer) and {@link FrameFormat#readFrame}
 * (blocking streams).
 *
 * <p>Properties, for both formats and two caps: only {@link FrameFormatException} or
 * {@link EOFException} is thrown; the header agrees with an independent reference decoding (Go's
 * {@code binary.Uvarint} / big-endian uint32, then the cap); every prefix of a header is "need
 * more" until the header is complete and never a different answer; the buffer's position is not
 * moved; {@code readFrame} yields exactly the frames {@code decodeHeader} delimits, whether the
 * stream delivers everything at once or one byte per read; and reading allocates memory in
 * proportion to the bytes received, never to the length a header announces.
 *
 * <p>Seeds: {@code src/test/resources/io/peerlink/transport/api/FrameFormatFuzzTestInputs/frames/}.
 * CI fuzzes this for 30 s (see the {@code fuzz} profile in this module's pom).
 */
class FrameFormatFuzzTest {

  /** The cap the seed's block-range client uses is 100 MB; 16 MiB keeps a finding cheap to show. */
  static final int LARGE_CAP = 16 << 20;
  /** A small cap, so the "over the cap" path is reached by short headers too. */
  static final int SMALL_CAP = 100;

  /** Slack for the stream, the exception and its stack trace, and the first read chunk. */
  private static final long FIXED_ALLOCATION_SLACK = 128 * 1024;

  @FuzzTest(maxDuration = "30s")
  void frames(byte[] data) throws Throwable {
    for (FrameFormat format : FrameFormat.values()) {
      for (int cap : new int[] {LARGE_CAP, SMALL_CAP}) {
        Expected expected = delimit(format, data, cap);
        checkReadFrame(format, data, cap, expected, new ByteArrayInputStream(data));
        checkReadFrame(format, data, cap, expected, new OneBytePerRead(data));
      }
    }
  }

  /** What reading the whole input as a stream of frames must give. */
  private record Expected(List<byte[]> frames, Class<? extends Throwable> end) {
  }

  /** Splits the input with decodeHeader, checking every header against the reference on the way. */
  private static Expected delimit(FrameFormat format, byte[] data, int cap) {
    List<byte[]> frames = new ArrayList<>();
    int pos = 0;
    while (true) {
      if (pos == data.length) {
        return new Expected(frames, null);
      }
      long header = checkedHeader(format, data, pos, cap);
      if (header == BAD) {
        return new Expected(frames, FrameFormatException.class);
      }
      if (header == FrameFormat.NEED_MORE) {
        return new Expected(frames, EOFException.class);
      }
      int headerLength = FrameFormat.headerLengthOf(header);
      int payloadLength = FrameFormat.payloadLengthOf(header);
      if ((long) pos + headerLength + payloadLength > data.length) {
        return new Expected(frames, EOFException.class);
      }
      frames.add(Arrays.copyOfRange(data, pos + headerLength, pos + headerLength + payloadLength));
      pos += headerLength + payloadLength;
    }
  }

  private static final long BAD = Long.MIN_VALUE;

  /**
   * decodeHeader at {@code pos}: the same answer as the reference, on the whole rest and on a
   * slice; every shorter prefix says "need more" (or, past the cap, already "bad").
   */
  private static long checkedHeader(FrameFormat format, byte[] data, int pos, int cap) {
    long reference = reference(format, data, pos, data.length, cap);
    long actual = decode(format, ByteBuffer.wrap(data, pos, data.length - pos), pos, cap);
    assertEquals(reference, actual, () -> format + " header at " + pos + " with cap " + cap);
    ByteBuffer slice = ByteBuffer.wrap(data, pos, data.length - pos).slice();
    assertEquals(actual, decode(format, slice, 0, cap), "a slice decodes like the buffer it was cut from");
    for (int end = pos; end <= Math.min(data.length, pos + FrameFormat.MAX_VARINT_BYTES + 1); end++) {
      long prefix = decode(format, ByteBuffer.wrap(data, pos, end - pos), pos, cap);
      assertEquals(reference(format, data, pos, end, cap), prefix, "prefix of " + (end - pos) + " bytes");
      if (prefix != FrameFormat.NEED_MORE) {
        assertEquals(actual, prefix, "once a prefix decides, more bytes do not change the answer");
      }
    }
    return actual;
  }

  /** decodeHeader, with "bad" as a value; the position and limit must not move. */
  private static long decode(FrameFormat format, ByteBuffer buffer, int expectedPosition, int cap) {
    int limit = buffer.limit();
    long result;
    try {
      result = format.decodeHeader(buffer, cap);
    } catch (FrameFormatException e) {
      result = BAD;
    }
    assertEquals(expectedPosition, buffer.position(), "decodeHeader must not move the position");
    assertEquals(limit, buffer.limit(), "decodeHeader must not move the limit");
    if (result != BAD && result != FrameFormat.NEED_MORE) {
      int headerLength = FrameFormat.headerLengthOf(result);
      int payloadLength = FrameFormat.payloadLengthOf(result);
      assertTrue(headerLength >= 1 && headerLength <= FrameFormat.MAX_VARINT_BYTES, "header length " + headerLength);
      assertTrue(payloadLength >= 0 && payloadLength <= cap, "payload length " + payloadLength + " within the cap");
    }
    return result;
  }

  /** An independent decoding: big-endian uint32, or Go's binary.Uvarint with BigInteger; then the cap. */
  private static long reference(FrameFormat format, byte[] data, int from, int to, int cap) {
    if (format == FrameFormat.UINT32_BIG_ENDIAN) {
      if (to - from < 4) {
        return FrameFormat.NEED_MORE;
      }
      long length = new BigInteger(1, Arrays.copyOfRange(data, from, from + 4)).longValueExact();
      return length > cap ? BAD : (4L << 32) | length;
    }
    BigInteger value = BigInteger.ZERO;
    BigInteger max = BigInteger.valueOf(cap);
    for (int i = 0; i < FrameFormat.MAX_VARINT_BYTES; i++) {
      if (from + i >= to) {
        return FrameFormat.NEED_MORE;
      }
      int b = data[from + i] & 0xFF;
      value = value.or(BigInteger.valueOf(b & 0x7F).shiftLeft(7 * i));
      if (value.compareTo(max) > 0) {
        return BAD; // rejected as soon as the announced length passes the cap, complete or not
      }
      if ((b & 0x80) == 0) {
        return ((long) (i + 1) << 32) | value.longValueExact();
      }
    }
    return BAD; // longer than Go's MaxVarintLen64
  }

  /** readFrame until the stream ends: the frames and the way it ends must be the expected ones. */
  private static void checkReadFrame(FrameFormat format, byte[] data, int cap, Expected expected, InputStream in)
      throws Throwable {
    List<byte[]> frames = new ArrayList<>();
    AllocationMeter.Measured<Void> run = AllocationMeter.measure(() -> {
      for (byte[] frame = format.readFrame(in, cap); frame != null; frame = format.readFrame(in, cap)) {
        frames.add(frame);
      }
      return null;
    });
    String what = format + " readFrame with cap " + cap + " from " + in.getClass().getSimpleName();
    if (run.thrown() != null && !(run.thrown() instanceof IOException)) {
      throw run.thrown();
    }
    if (expected.end() == null) {
      assertNull(run.thrown(), what + ": a clean end between frames returns null");
    } else {
      assertInstanceOf(expected.end(), run.thrown(), what);
      if (expected.end() == EOFException.class && run.thrown() instanceof FrameFormatException) {
        fail(what + ": a truncated stream is an EOFException, not a bad header");
      }
    }
    assertEquals(expected.frames().size(), frames.size(), what + ": frame count");
    for (int i = 0; i < frames.size(); i++) {
      assertArrayEquals(expected.frames().get(i), frames.get(i), what + ": frame " + i);
    }
    long bound = FIXED_ALLOCATION_SLACK + 4L * data.length + 64L * frames.size();
    if (AllocationMeter.isSupported() && run.bytes() > bound) {
      // The first pass through a path may load and instrument classes; reading is deterministic,
      // so a repeat on a fresh stream costs only what readFrame itself allocates.
      InputStream fresh = in instanceof OneBytePerRead ? new OneBytePerRead(data) : new ByteArrayInputStream(data);
      long repeat = AllocationMeter.measure(() -> {
        while (format.readFrame(fresh, cap) != null) {
          // count only
        }
        return null;
      }).bytes();
      if (repeat > bound) {
        fail(what + " allocated " + repeat + " bytes for " + data.length + " bytes of input (bound " + bound
            + "): memory must follow the bytes received, not the length a header announces");
      }
    }
  }

  /** A stream that hands out one byte per read, as a slow peer would. */
  private static final class OneBytePerRead extends InputStream {
    private final byte[] data;
    private int pos;

    OneBytePerRead(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      int c = read();
      if (c < 0) {
        return -1;
      }
      b[off] = (byte) c;
      return 1;
    }
  }
}
