package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.EOFException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Splits the inbound byte stream into frames ({@code byte[]} payloads, header removed).
 *
 * <p>The header is parsed by transport-api's {@link FrameFormat#decodeHeader}, which checks the
 * announced length against the maximum before anything is allocated for the payload. A bad
 * header is passed on as a {@link FrameFormatException} through {@code exceptionCaught} (the
 * connection closes the channel and reports it); everything after it is discarded, since the
 * stream cannot be resynchronised.
 *
 * <p>With a partial-frame timeout, a timer is armed when a frame begins (bytes of it are held) and
 * cancelled when it completes; when it fires, {@link #PARTIAL_FRAME_TIMEOUT} is sent down the
 * pipeline as a user event and nothing more is decoded. While reading is paused (backpressure) the
 * peer cannot finish its frame, so the timer then waits another round instead.
 */
final class FrameDecoder extends ByteToMessageDecoder {

  // The longest header of any format: a varint of up to 10 bytes (the 4-byte header is shorter).
  private static final int MAX_HEADER_BYTES = FrameFormat.MAX_VARINT_BYTES;

  /** The user event fired when a frame stayed incomplete for the partial-frame timeout. */
  static final Object PARTIAL_FRAME_TIMEOUT = new Object() {
    @Override
    public String toString() {
      return "PARTIAL_FRAME_TIMEOUT";
    }
  };

  private final FrameFormat format;
  private final int maxFrameLength;
  private final long partialTimeoutNanos; // 0: off
  private boolean failed;
  private boolean completedFrame; // a frame was completed during the current read
  private ScheduledFuture<?> partialTimer;

  FrameDecoder(FrameFormat format, int maxFrameLength) {
    this(format, maxFrameLength, 0);
  }

  FrameDecoder(FrameFormat format, int maxFrameLength, long partialTimeoutNanos) {
    this.format = format;
    this.maxFrameLength = maxFrameLength;
    this.partialTimeoutNanos = partialTimeoutNanos;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    super.channelRead(ctx, msg);
    if (partialTimeoutNanos <= 0 || failed) {
      return;
    }
    if (completedFrame) { // the frame the timer was for is done; what is left is a new one
      cancelPartialTimer();
      completedFrame = false;
    }
    if (actualReadableBytes() > 0 && partialTimer == null) {
      armPartialTimer(ctx);
    }
  }

  private void armPartialTimer(ChannelHandlerContext ctx) {
    partialTimer = ctx.executor().schedule(() -> {
      partialTimer = null;
      if (failed || !ctx.channel().isActive() || actualReadableBytes() == 0) {
        return;
      }
      if (!ctx.channel().config().isAutoRead()) {
        armPartialTimer(ctx); // paused by us: the peer could not finish; wait another round
        return;
      }
      failed = true;
      ctx.fireUserEventTriggered(PARTIAL_FRAME_TIMEOUT);
    }, partialTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void cancelPartialTimer() {
    if (partialTimer != null) {
      partialTimer.cancel(false);
      partialTimer = null;
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelPartialTimer();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelPartialTimer();
    super.channelInactive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int readable = in.readableBytes();
    if (failed) {
      in.skipBytes(readable);
      return;
    }
    long header;
    try {
      // Only the header bytes: a view, no copy of the cumulation.
      header = format.decodeHeader(in.nioBuffer(in.readerIndex(), Math.min(readable, MAX_HEADER_BYTES)),
          maxFrameLength);
    } catch (FrameFormatException e) {
      failed = true;
      in.skipBytes(readable);
      ctx.fireExceptionCaught(e);
      return;
    }
    if (header == FrameFormat.NEED_MORE) {
      return;
    }
    int headerLength = FrameFormat.headerLengthOf(header);
    int payloadLength = FrameFormat.payloadLengthOf(header);
    int missing = headerLength + payloadLength - readable;
    if (missing > 0) {
      // Wait for the rest. The cumulation buffer grows with the bytes that arrive, never to the
      // announced length up front: a 4-byte header must not reserve the maximum frame per connection.
      return;
    }
    in.skipBytes(headerLength);
    byte[] frame = new byte[payloadLength];
    in.readBytes(frame);
    out.add(frame);
    completedFrame = true;
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // Whole frames were decoded already; what is left is the start of a frame the peer never
    // finished. Say so rather than dropping it silently.
    if (!failed && in.isReadable()) {
      int left = in.readableBytes();
      in.skipBytes(left);
      ctx.fireExceptionCaught(new EOFException(
          "the connection ended inside a frame (" + left + " bytes of an unfinished frame received)"));
    }
  }

  /** Capacity of the bytes held for an unfinished frame; for tests of the growth rule. */
  int cumulatedCapacity() {
    return internalBuffer().capacity();
  }
}
