package io.peerlink.transport.tcp;

import static io.peerlink.transport.tcp.FrameBuffers.PIECE_BYTES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.OutgoingFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A frame is laid into buffers the allocator pools: one buffer up to {@link FrameBuffers#PIECE_BYTES},
 * pieces of at most that above it, byte for byte the header and the payload, at every size around
 * the piece boundaries (the header takes the first piece's first bytes).
 */
class FrameBuffersTest {

  /** Payload sizes around one and two pieces, for headers of 3 (varint) and 4 bytes, and an 8 MiB answer. */
  private static final int[] SIZES = {0, 1, 1000, PIECE_BYTES - 5, PIECE_BYTES - 4, PIECE_BYTES - 3, PIECE_BYTES - 2,
      PIECE_BYTES, PIECE_BYTES + 1, 2 * PIECE_BYTES - 4, 2 * PIECE_BYTES - 3, 2 * PIECE_BYTES + 1,
      8 * PIECE_BYTES + 12_345};

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void everySizeIsLaidOutByteForByteInPiecesOfAtMostTheLimit(FrameFormat format) {
    Random random = new Random(15);
    for (int size : SIZES) {
      byte[] frame = new byte[size];
      random.nextBytes(frame);
      ByteBuf buf = FrameBuffers.encode(ByteBufAllocator.DEFAULT, format, frame);
      try {
        assertArrayEquals(format.encode(frame), ByteBufUtil.getBytes(buf), "frame of " + size + " bytes");
        long total = (long) format.headerLength(size) + size;
        if (total <= PIECE_BYTES) {
          assertFalse(buf instanceof CompositeByteBuf, "a frame that fits a piece is one buffer: " + size);
        } else {
          CompositeByteBuf pieces = assertInstanceOf(CompositeByteBuf.class, buf);
          assertEquals((total + PIECE_BYTES - 1) / PIECE_BYTES, pieces.numComponents(), "pieces of " + size);
          for (int i = 0; i < pieces.numComponents(); i++) {
            assertTrue(pieces.internalComponent(i).readableBytes() <= PIECE_BYTES, "piece " + i + " of " + size);
          }
          assertTrue(buf.isDirect(), "the pieces are direct: the channel writes them without a copy");
        }
      } finally {
        buf.release();
      }
    }
  }

  /**
   * The pieces go out as one message whose size is all of them: the outbound buffer counts every
   * byte toward the write-buffer water mark, so an accepted connection stops reading while a
   * large answer waits, as it did when the frame was one buffer.
   */
  @Test
  void theWaterMarkCountsEveryPieceOfAFrame() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(PIECE_BYTES, 2 * PIECE_BYTES));
    channel.write(FrameBuffers.encode(channel.alloc(), FrameFormat.UINT32_BIG_ENDIAN, new byte[3 * PIECE_BYTES]));
    long pending = channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    // Netty adds a fixed overhead per message (96 bytes): one message, all its bytes.
    assertTrue(pending >= 3 * PIECE_BYTES + 4 && pending < 3 * PIECE_BYTES + 4 + 200, "pending bytes: " + pending);
    assertFalse(channel.isWritable(), "over the high water mark");
    channel.flush();
    assertTrue(channel.isWritable(), "written: under the low water mark again");
    channel.finishAndReleaseAll();
  }

  /** Netty's pooled allocator counts what it could not pool ("huge" allocations): none, for any size. */
  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void noFrameNeedsAnUnpooledAllocation(FrameFormat format) {
    PooledByteBufAllocator pooled = new PooledByteBufAllocator(true);
    for (int size : SIZES) {
      ByteBuf buf = FrameBuffers.encode(pooled, format, new byte[size]);
      assertEquals(size + format.headerLength(size), buf.readableBytes());
      buf.release();
    }
    long huge = pooled.metric().directArenas().stream().mapToLong(PoolArenaMetric::numHugeAllocations).sum();
    assertEquals(0, huge, "unpooled (huge) direct allocations for frames up to " + SIZES[SIZES.length - 1] + " bytes");
  }
  /**
   * A frame with file ranges is messages in order: pooled direct buffers of at most a piece for the
   * header and the byte pieces (adjacent ones share buffers), a region per range that counts its
   * bytes for the water mark and, released, leaves the frame's channel open.
   */
  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void aFrameWithFileRangesIsBuffersAndRegionsInOrder(FrameFormat format, @TempDir Path dir) throws IOException {
    byte[] content = new byte[1000];
    new Random(15).nextBytes(content);
    Path path = dir.resolve("segment");
    Files.write(path, content);
    byte[] big = new byte[2 * PIECE_BYTES + 1];
    new Random(16).nextBytes(big);
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
      OutgoingFrame frame = OutgoingFrame.builder().bytes(new byte[] {1, 2, 3, 4, 5}, 0, 5)
          .bytes(new byte[] {6, 7, 8}, 0, 3)
          .file(file, 10, 100).bytes(big, 0, big.length).file(file, 200, 50).build();
      List<Object> messages = FrameBuffers.encode(ByteBufAllocator.DEFAULT, format, frame);
      try {
        assertEquals(List.of("buffer", "region", "buffer", "buffer", "buffer", "region"),
            messages.stream().map(m -> m instanceof ByteBuf ? "buffer" : "region").toList());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (Object m : messages) {
          if (m instanceof ByteBuf b) {
            assertTrue(b.isDirect() && b.readableBytes() <= PIECE_BYTES, "a direct buffer of at most a piece");
            sent.write(ByteBufUtil.getBytes(b));
          } else {
            SharedFileRegion r = assertInstanceOf(SharedFileRegion.class, m);
            assertEquals(r.count(), FrameSizeEstimator.INSTANCE.newHandle().size(r), "a region counts its bytes");
            sent.write(content, (int) r.position(), (int) r.count());
          }
        }
        assertArrayEquals(format.encode(frame.toArray()), sent.toByteArray());
      } finally {
        messages.forEach(ReferenceCountUtil::release);
      }
      assertTrue(file.isOpen(), "released regions leave the frame's channel open");
    }
  }
}
