package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.peerlink.transport.api.FrameFormat;

/**
 * Lays one outgoing frame, header and payload, into buffers the channel's allocator pools: one
 * buffer when the frame fits a piece, else a composite of pieces of at most {@link #PIECE_BYTES}.
 *
 * <p>Why pieces: Netty's default (adaptive) allocator pools buffers up to 1 MiB, its pooled
 * allocator up to its 4 MiB chunk; a larger buffer is allocated for the one write, zeroed by the
 * JDK and freed after it. For a peer serving 8 MiB {@code get_blocks_range} answers that zeroing
 * was a large share of its CPU. The pieces leave in one gathering write as one message, so the
 * outbound buffer counts the frame's bytes for the write-buffer water mark as before, and the
 * frame's one promise still completes once, when all of it is written.
 */
final class FrameBuffers {

  /** The largest buffer asked of the allocator: the adaptive allocator's largest pooled size. */
  static final int PIECE_BYTES = 1 << 20;

  private FrameBuffers() {
  }

  /** The frame with its header, in buffers of {@code alloc}; the caller owns (and releases) the result. */
  static ByteBuf encode(ByteBufAllocator alloc, FrameFormat format, byte[] frame) {
    int headerLength = format.headerLength(frame.length);
    byte[] header = new byte[headerLength];
    format.writeHeader(frame.length, header, 0);
    long total = (long) headerLength + frame.length;
    if (total <= PIECE_BYTES) {
      return alloc.ioBuffer((int) total).writeBytes(header).writeBytes(frame);
    }
    int pieces = (int) ((total + PIECE_BYTES - 1) / PIECE_BYTES);
    // As many components as pieces: a composite past its maximum would consolidate them (a copy).
    CompositeByteBuf composite = alloc.compositeDirectBuffer(pieces);
    try {
      int copied = 0;
      for (int i = 0; i < pieces; i++) {
        int size = (int) Math.min(PIECE_BYTES, total - (long) i * PIECE_BYTES);
        ByteBuf piece = alloc.ioBuffer(size, size);
        if (i == 0) {
          piece.writeBytes(header);
        }
        int payload = size - piece.writerIndex();
        piece.writeBytes(frame, copied, payload);
        copied += payload;
        composite.addComponent(true, piece); // the composite owns the piece from here
      }
      return composite;
    } catch (RuntimeException | Error e) {
      composite.release();
      throw e;
    }
  }
}
