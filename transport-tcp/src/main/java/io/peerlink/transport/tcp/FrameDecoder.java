package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import java.io.EOFException;
import java.util.List;

/**
 * Splits the inbound byte stream into frames ({@code byte[]} payloads, header removed).
 *
 * <p>The header is parsed by transport-api's {@link FrameFormat#decodeHeader}, which checks the
 * announced length against the maximum before anything is allocated for the payload. A bad
 * header is passed on as a {@link FrameFormatException} through {@code exceptionCaught} (the
 * connection closes the channel and reports it); everything after it is discarded, since the
 * stream cannot be resynchronised.
 */
final class FrameDecoder extends ByteToMessageDecoder {

  // The longest header of any format: a varint of up to 10 bytes (the 4-byte header is shorter).
  private static final int MAX_HEADER_BYTES = FrameFormat.MAX_VARINT_BYTES;

  // Above this, the cumulation buffer is grown to the whole frame at once instead of doubling
  // (with a copy each time) as the bytes trickle in.
  private static final int PRESIZE_THRESHOLD = 64 * 1024;

  private final FrameFormat format;
  private final int maxFrameLength;
  private boolean failed;

  FrameDecoder(FrameFormat format, int maxFrameLength) {
    this.format = format;
    this.maxFrameLength = maxFrameLength;
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
      if (payloadLength > PRESIZE_THRESHOLD && in.writableBytes() < missing
          && in.maxCapacity() - in.writerIndex() >= missing) {
        in.ensureWritable(missing);
      }
      return;
    }
    in.skipBytes(headerLength);
    byte[] frame = new byte[payloadLength];
    in.readBytes(frame);
    out.add(frame);
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
}
