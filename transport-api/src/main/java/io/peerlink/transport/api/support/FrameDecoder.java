package io.peerlink.transport.api.support;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Cuts whole frames out of bytes that arrive in arbitrary pieces: the frame-decoding state
 * machine of every transport. The announced length is checked against the maximum (by
 * {@link FrameFormat#decodeHeader}) before anything is allocated for the payload.
 *
 * <p>The caller owns the read buffer. A frame whose bytes are all in it is copied out at once; one
 * that would fit the buffer once the rest arrives is left in place (the caller compacts and reads
 * more); a larger one is gathered into an array of its own, which starts at
 * {@link #FIRST_PARTIAL_BUFFER} and doubles as bytes arrive, so a header that announces the maximum
 * costs memory only for the bytes the peer really sends. A caller whose buffer is a view of what
 * it holds (Netty's cumulation) passes a buffer whose capacity is its content: then only an
 * unfinished header stays with the caller.
 *
 * <p>A malformed header cannot be resynchronised: after a {@link FrameFormatException} the caller
 * closes the connection. Not thread-safe: one reader uses it.
 */
public final class FrameDecoder {

  /**
   * The first array for a frame larger than the read buffer; it doubles as bytes arrive, up to
   * the announced length.
   */
  public static final int FIRST_PARTIAL_BUFFER = 64 * 1024;

  private final FrameFormat format;
  private final int maxFrameLength;
  private byte[] partial; // a frame larger than the read buffer, being filled; grows as bytes arrive
  private int partialLength; // the announced payload length of that frame
  private int partialFilled;

  /** A decoder of {@code format}, refusing frames longer than {@code maxFrameLength} bytes. */
  public FrameDecoder(FrameFormat format, int maxFrameLength) {
    this.format = Objects.requireNonNull(format, "format");
    if (maxFrameLength < 0) {
      throw new IllegalArgumentException("maxFrameLength must not be negative, got " + maxFrameLength);
    }
    this.maxFrameLength = maxFrameLength;
  }

  /**
   * The next whole frame in {@code in} (in read mode), or null when more bytes are needed. Bytes
   * of an incomplete header, or of a frame that fits the buffer, are left in {@code in}.
   *
   * @throws FrameFormatException when a header is malformed or announces more than the maximum
   */
  public byte[] next(ByteBuffer in) throws FrameFormatException {
    if (partial != null) {
      return fillPartial(in);
    }
    long decoded = format.decodeHeader(in, maxFrameLength);
    if (decoded == FrameFormat.NEED_MORE) {
      return null;
    }
    int headerLength = FrameFormat.headerLengthOf(decoded);
    int payloadLength = FrameFormat.payloadLengthOf(decoded);
    if (in.remaining() - headerLength >= payloadLength) {
      in.position(in.position() + headerLength);
      byte[] frame = new byte[payloadLength];
      in.get(frame);
      return frame;
    }
    if (headerLength + payloadLength <= in.capacity()) {
      return null; // fits the buffer once the rest has arrived
    }
    in.position(in.position() + headerLength);
    partialLength = payloadLength;
    partialFilled = in.remaining();
    partial = new byte[Math.min(payloadLength, Math.max(FIRST_PARTIAL_BUFFER, partialFilled))];
    in.get(partial, 0, partialFilled);
    return null;
  }

  private byte[] fillPartial(ByteBuffer in) {
    int n = Math.min(in.remaining(), partialLength - partialFilled);
    if (partialFilled + n > partial.length) {
      partial = Arrays.copyOf(partial, (int) Math.min(partialLength,
          Math.max((long) partial.length * 2, partialFilled + n)));
    }
    in.get(partial, partialFilled, n);
    partialFilled += n;
    if (partialFilled < partialLength) {
      return null;
    }
    byte[] frame = partial;
    partial = null;
    return frame;
  }

  /**
   * Whether a frame was begun and not finished, so that an end of stream now cuts it.
   *
   * @param in the read buffer in write mode (after {@code compact()}): leftover bytes are a
   *     begun frame
   */
  public boolean isInsideFrame(ByteBuffer in) {
    return partial != null || in.position() > 0;
  }

  /** Whether this decoder holds bytes of a frame being gathered in an array of its own. */
  public boolean holdsPartialFrame() {
    return partial != null;
  }

  /** Bytes held for a frame being gathered; 0 when none. For tests of the growth rule. */
  public int partialCapacity() {
    return partial == null ? 0 : partial.length;
  }

  /** Bytes of the frame being gathered that have arrived; 0 when none. */
  public int partialFilled() {
    return partial == null ? 0 : partialFilled;
  }
}
