package io.peerlink.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peerlink.transport.api.FrameFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Found by the fuzzing review: the decoder grew its buffer to a frame's announced length as soon
 * as the header arrived, so a 4-byte header on the peer port reserved up to the maximum frame
 * (16 MiB) per connection. Memory must follow the bytes received.
 */
class TcpFrameDecoderTest {

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void aLargeAnnouncedFrameCostsOnlyWhatArrives(FrameFormat format) {
    int announced = 10 * 1024 * 1024;
    TcpFrameDecoder decoder = new TcpFrameDecoder(format, announced);
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    byte[] header = new byte[format.headerLength(announced)];
    format.writeHeader(announced, header, 0);
    channel.writeInbound(Unpooled.wrappedBuffer(header), Unpooled.wrappedBuffer(new byte[100]));
    assertTrue(decoder.heldCapacity() < 1024 * 1024,
        "holds " + decoder.heldCapacity() + " bytes of capacity for " + (header.length + 100) + " received");

    byte[] payload = new byte[announced];
    payload[announced - 1] = 9;
    for (int off = 100; off < announced; off += 65536) {
      channel.writeInbound(Unpooled.wrappedBuffer(payload, off, Math.min(65536, announced - off)));
    }
    byte[] frame = channel.readInbound();
    assertArrayEquals(payload, frame);
    channel.finishAndReleaseAll();
  }
}
