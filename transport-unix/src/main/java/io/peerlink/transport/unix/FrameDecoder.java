package io.peerlink.transport.unix;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import java.nio.ByteBuffer;

/**
 * Cuts whole frames out of the bytes read from a non-blocking socket, which arrive in arbitrary
 * pieces. The announced length is checked against the maximum before anything is allocated
 * (by {@link FrameFormat#decodeHeader}); a frame larger than the read buffer is gathered into its
 * own array as it arrives.
 */
final class FrameDecoder {

  private final FrameFormat format;
  private final int maxFrameLength;
  private byte[] partial; // a frame larger than the read buffer, being filled; grows as bytes arrive
  private int partialLength; // the announced payload length of that frame
  private int partialFilled;

  // The first buffer for a frame larger than the read buffer. It doubles as bytes arrive, so a
  // header that announces the maximum costs memory only for the bytes the peer really sends.
  static final int FIRST_PARTIAL_BUFFER = 64 * 1024;

  FrameDecoder(FrameFormat format, int maxFrameLength) {
    this.format = format;
    this.maxFrameLength = maxFrameLength;
  }

  /**
   * The next whole frame in {@code in} (in read mode), or null when more bytes are needed. Bytes
   * of an incomplete header or of a frame that fits the buffer are left in {@code in}; the caller
   * compacts it and reads more.
   *
   * @throws FrameFormatException when a header is malformed or announces more than the maximum
   */
  byte[] next(ByteBuffer in) throws FrameFormatException {
    if (partial != null) {
      int n = Math.min(in.remaining(), partialLength - partialFilled);
      if (partialFilled + n > partial.length) {
        partial = java.util.Arrays.copyOf(partial, (int) Math.min(partialLength,
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

  /**
   * Whether a frame was begun and not finished, so that an end of stream now cuts it.
   *
   * @param in the read buffer in write mode (after {@code compact()}): leftover bytes are a
   *     begun frame
   */
  boolean isInsideFrame(ByteBuffer in) {
    return partial != null || in.position() > 0;
  }

  /** Bytes held for a frame being filled; for tests of the growth rule. */
  int partialCapacity() {
    return partial == null ? 0 : partial.length;
  }
}
