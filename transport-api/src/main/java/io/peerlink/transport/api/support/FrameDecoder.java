package io.peerlink.transport.api.support;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cuts whole frames out of bytes that arrive in arbitrary pieces: the frame-decoding state
 * machine of every transport. The announced length is checked against the maximum (by
 * {@link FrameFormat#decodeHeader}) before anything is allocated for the payload.
 *
 * <p>The caller owns the read buffer. A frame whose bytes are all in it is copied out at once; one
 * that would fit the buffer once the rest arrives is left in place (the caller compacts and reads
 * more); a larger one is gathered on the side, so a header that announces the maximum costs
 * memory only for the bytes the peer really sends: until half of the frame has arrived its bytes
 * go into pieces, the first of {@link #FIRST_PARTIAL_BUFFER}, each next as large as all before it
 * (never more than twice what arrived); then the frame's own array is allocated, the pieces are
 * copied into it once, and the rest is read straight in. Growing one array by doubling, as this
 * did before, copied the whole frame again over its growth and zeroed twice its size (issue 15: a
 * node catching up 100 KB blocks spent a seventh of its CPU there). A caller whose buffer is a view of what
 * it holds (Netty's cumulation) passes a buffer whose capacity is its content: then only an
 * unfinished header stays with the caller.
 *
 * <p>A malformed header cannot be resynchronised: after a {@link FrameFormatException} the caller
 * closes the connection. Not thread-safe: one reader uses it.
 */
public final class FrameDecoder {

  /**
   * The first piece gathered for a frame larger than the read buffer; each next piece is as large
   * as all before it, until half of the announced length has arrived.
   */
  public static final int FIRST_PARTIAL_BUFFER = 64 * 1024;

  private final FrameFormat format;
  private final int maxFrameLength;
  private final List<byte[]> pieces = new ArrayList<>(); // the first half of a large frame, as it arrives
  private int piecesCapacity;
  private byte[] partial; // the large frame's own array, once half of it has arrived
  private int partialLength; // the announced payload length of the frame being gathered; 0: none
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
    if (holdsPartialFrame()) {
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
    partialLength = payloadLength; // > 0: larger than the buffer
    partialFilled = 0;
    return fillPartial(in);
  }

  private byte[] fillPartial(ByteBuffer in) {
    int half = (int) ((partialLength + 1L) / 2);
    while (in.hasRemaining() && partialFilled < partialLength) {
      if (partial == null && partialFilled >= half) {
        joinPieces();
      }
      int n;
      if (partial != null) {
        n = Math.min(in.remaining(), partialLength - partialFilled);
        in.get(partial, partialFilled, n);
      } else {
        if (partialFilled == piecesCapacity) {
          int size = Math.min(Math.max(FIRST_PARTIAL_BUFFER, piecesCapacity), half - piecesCapacity);
          pieces.add(new byte[size]);
          piecesCapacity += size;
        }
        byte[] piece = pieces.get(pieces.size() - 1);
        int at = piece.length - (piecesCapacity - partialFilled);
        n = Math.min(in.remaining(), piece.length - at);
        in.get(piece, at, n);
      }
      partialFilled += n;
    }
    if (partialFilled < partialLength) {
      return null;
    }
    if (partial == null) { // a one-byte frame: its half was all of it
      joinPieces();
    }
    byte[] frame = partial;
    partial = null;
    partialLength = 0;
    partialFilled = 0;
    return frame;
  }

  /** The frame's own array, at most twice what arrived, with the pieces copied in once. */
  private void joinPieces() {
    partial = new byte[partialLength];
    int at = 0;
    for (byte[] piece : pieces) {
      int n = Math.min(piece.length, partialFilled - at);
      System.arraycopy(piece, 0, partial, at, n);
      at += n;
    }
    pieces.clear();
    piecesCapacity = 0;
  }

  /**
   * Whether a frame was begun and not finished, so that an end of stream now cuts it.
   *
   * @param in the read buffer in write mode (after {@code compact()}): leftover bytes are a
   *     begun frame
   */
  public boolean isInsideFrame(ByteBuffer in) {
    return holdsPartialFrame() || in.position() > 0;
  }

  /** Whether this decoder holds bytes of a frame being gathered on the side of the read buffer. */
  public boolean holdsPartialFrame() {
    return partialLength > 0;
  }

  /** Bytes held for a frame being gathered; 0 when none. For tests of the growth rule. */
  public int partialCapacity() {
    return partial != null ? partial.length : piecesCapacity;
  }

  /** Bytes of the frame being gathered that have arrived; 0 when none. */
  public int partialFilled() {
    return partialFilled;
  }
}
