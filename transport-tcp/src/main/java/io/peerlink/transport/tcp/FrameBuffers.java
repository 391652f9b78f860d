package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.OutgoingFrame.Bytes;
import io.peerlink.transport.api.OutgoingFrame.FileRange;
import io.peerlink.transport.api.OutgoingFrame.Piece;
import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>A frame with file ranges becomes several messages instead, written as one: its header and
 * byte pieces copied into pooled buffers as above (runs of adjacent pieces share buffers), each
 * file range a {@link SharedFileRegion} the kernel sends from the page cache.
 */
final class FrameBuffers {

  /** The largest buffer asked of the allocator: the adaptive allocator's largest pooled size. */
  static final int PIECE_BYTES = 1 << 20;

  private FrameBuffers() {
  }

  /** The frame with its header, in buffers of {@code alloc}; the caller owns (and releases) the result. */
  static ByteBuf encode(ByteBufAllocator alloc, FrameFormat format, byte[] frame) {
    Bytes header = header(format, frame.length);
    long total = (long) header.length() + frame.length;
    if (total <= PIECE_BYTES) { // most frames: one buffer, nothing else allocated
      return alloc.ioBuffer((int) total).writeBytes(header.array()).writeBytes(frame);
    }
    List<Object> pieces = new ArrayList<>((int) (total / PIECE_BYTES) + 1);
    try {
      copyRun(alloc, List.of(header, new Bytes(frame, 0, frame.length)), total, pieces);
    } catch (RuntimeException | Error e) {
      pieces.forEach(ReferenceCountUtil::safeRelease);
      throw e;
    }
    // As many components as pieces: a composite past its maximum would consolidate them (a copy).
    CompositeByteBuf composite = alloc.compositeDirectBuffer(pieces.size());
    for (Object piece : pieces) {
      composite.addComponent(true, (ByteBuf) piece); // the composite owns the piece from here
    }
    return composite;
  }

  private static Bytes header(FrameFormat format, int payloadLength) {
    byte[] header = new byte[format.headerLength(payloadLength)];
    format.writeHeader(payloadLength, header, 0);
    return new Bytes(header, 0, header.length);
  }

  /**
   * The frame with its header as messages to write in order: buffers of {@code alloc} for the
   * header and the byte pieces, a region for each file range. The caller owns (and releases) them.
   */
  static List<Object> encode(ByteBufAllocator alloc, FrameFormat format, OutgoingFrame frame) {
    List<Piece> pieces = new ArrayList<>(frame.pieces().size() + 1);
    pieces.add(header(format, frame.length()));
    pieces.addAll(frame.pieces());
    List<Object> messages = new ArrayList<>(pieces.size());
    try {
      int i = 0;
      while (i < pieces.size()) {
        if (pieces.get(i) instanceof FileRange r) {
          messages.add(new SharedFileRegion(r.channel(), r.position(), r.length()));
          i++;
          continue;
        }
        int end = i;
        long run = 0;
        while (end < pieces.size() && pieces.get(end) instanceof Bytes b) {
          run += b.length();
          end++;
        }
        copyRun(alloc, pieces.subList(i, end), run, messages);
        i = end;
      }
      return messages;
    } catch (RuntimeException | Error e) {
      messages.forEach(ReferenceCountUtil::safeRelease);
      throw e;
    }
  }

  /** Copies adjacent byte pieces, {@code length} bytes in all, into buffers of at most a piece each. */
  private static void copyRun(ByteBufAllocator alloc, List<Piece> run, long length, List<Object> messages) {
    long left = length;
    ByteBuf buf = null;
    for (Piece p : run) {
      Bytes b = (Bytes) p;
      int at = b.offset();
      int end = b.offset() + b.length();
      while (at < end) {
        if (buf == null) {
          int size = (int) Math.min(PIECE_BYTES, left);
          buf = alloc.ioBuffer(size, size);
          messages.add(buf); // listed at once, so a failure below releases it
        }
        int n = Math.min(end - at, buf.writableBytes());
        buf.writeBytes(b.array(), at, n);
        at += n;
        left -= n;
        if (!buf.isWritable()) {
          buf = null;
        }
      }
    }
  }
}
