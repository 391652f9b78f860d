package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.support.FrameDecoder;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shared {@link FrameDecoder} in a Netty pipeline: splits the inbound byte stream into frames
 * ({@code byte[]} payloads, header removed). The decoder sees a view of Netty's cumulation whose
 * capacity is its content, so the cumulation holds at most an unfinished header; a begun frame is
 * gathered by the decoder, its memory following the bytes received.
 *
 * <p>A bad header is passed on as a {@link FrameFormatException} through {@code exceptionCaught}
 * (the connection closes the channel and reports it); everything after it is discarded, since the
 * stream cannot be resynchronised.
 *
 * <p>With a partial-frame timeout, a timer is armed when a frame begins (bytes of it are held) and
 * cancelled when it completes; when it fires, {@link #PARTIAL_FRAME_TIMEOUT} is sent down the
 * pipeline as a user event and nothing more is decoded. While reading is paused (backpressure) the
 * peer cannot finish its frame, so the timer then waits another round instead.
 */
final class TcpFrameDecoder extends ByteToMessageDecoder {

  /** The user event fired when a frame stayed incomplete for the partial-frame timeout. */
  static final Object PARTIAL_FRAME_TIMEOUT = new Object() {
    @Override
    public String toString() {
      return "PARTIAL_FRAME_TIMEOUT";
    }
  };

  private final FrameDecoder frames;
  private final long partialTimeoutNanos; // 0: off
  private boolean failed;
  private boolean completedFrame; // a frame was completed during the current read
  private ScheduledFuture<?> partialTimer;

  TcpFrameDecoder(FrameFormat format, int maxFrameLength) {
    this(format, maxFrameLength, 0);
  }

  TcpFrameDecoder(FrameFormat format, int maxFrameLength, long partialTimeoutNanos) {
    this.frames = new FrameDecoder(format, maxFrameLength);
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
    if (insideFrame() && partialTimer == null) {
      armPartialTimer(ctx);
    }
  }

  private boolean insideFrame() {
    return actualReadableBytes() > 0 || frames.holdsPartialFrame();
  }

  private void armPartialTimer(ChannelHandlerContext ctx) {
    partialTimer = ctx.executor().schedule(() -> {
      partialTimer = null;
      if (failed || !ctx.channel().isActive() || !insideFrame()) {
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
    ByteBuffer view = in.nioBuffer(in.readerIndex(), readable); // a view: no copy of the cumulation
    byte[] frame;
    try {
      frame = frames.next(view);
    } catch (FrameFormatException e) {
      failed = true;
      in.skipBytes(readable);
      ctx.fireExceptionCaught(e);
      return;
    }
    in.skipBytes(view.position());
    if (frame != null) {
      out.add(frame);
      completedFrame = true;
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // Whole frames were decoded already; what is left is the start of a frame the peer never
    // finished. Say so rather than dropping it silently.
    if (!failed && (in.isReadable() || frames.holdsPartialFrame())) {
      int left = in.readableBytes() + frames.partialFilled();
      in.skipBytes(in.readableBytes());
      ctx.fireExceptionCaught(new EOFException(
          "the connection ended inside a frame (" + left + " bytes of an unfinished frame received)"));
    }
  }

  /** Capacity of the bytes held for an unfinished frame; for tests of the growth rule. */
  int heldCapacity() {
    return internalBuffer().capacity() + frames.partialCapacity();
  }
}
