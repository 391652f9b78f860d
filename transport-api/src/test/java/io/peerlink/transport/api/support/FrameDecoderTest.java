package io.peerlink.transport.api.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Frames cut out of a stream that arrives in pieces of every size, as non-blocking reads deliver it. */
class FrameDecoderTest {

  private static final int BUFFER = 64;

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void framesSurviveAnySplitting(FrameFormat format) throws Exception {
    Random random = new Random(42);
    List<byte[]> sent = new ArrayList<>();
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < 200; i++) {
      // empty, small, around the buffer size, and much larger than the buffer
      int length = new int[] {0, 1, 7, BUFFER - 2, BUFFER, BUFFER + 1, 1000}[random.nextInt(7)];
      byte[] frame = new byte[length];
      random.nextBytes(frame);
      sent.add(frame);
      wire.writeBytes(format.encode(frame));
    }
    byte[] all = wire.toByteArray();
    for (int maxPiece : new int[] {1, 3, 17, BUFFER}) {
      List<byte[]> received = decode(format, all, maxPiece, random);
      assertEquals(sent.size(), received.size(), "pieces of up to " + maxPiece + " bytes");
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), received.get(i), "frame " + i + ", pieces of up to " + maxPiece);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void aHeaderOverTheMaximumIsRefusedBeforeThePayloadArrives(FrameFormat format) {
    FrameDecoder decoder = new FrameDecoder(format, 100);
    byte[] header = new byte[format.headerLength(101)];
    format.writeHeader(101, header, 0);
    ByteBuffer in = ByteBuffer.wrap(header);
    FrameFormatException e = assertThrows(FrameFormatException.class, () -> decoder.next(in));
    assertTrue(e.getMessage().contains("100"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void aFrameCutByTheEndOfStreamIsNoticed(FrameFormat format) throws Exception {
    FrameDecoder decoder = new FrameDecoder(format, 10_000);
    ByteBuffer in = ByteBuffer.allocate(BUFFER);
    byte[] wire = format.encode(new byte[500]);
    in.put(wire, 0, BUFFER).flip();
    assertNull(decoder.next(in));
    in.compact();
    assertTrue(decoder.isInsideFrame(in));
  }

  private static List<byte[]> decode(FrameFormat format, byte[] all, int maxPiece, Random random) throws Exception {
    return decode(format, 10_000, BUFFER, all, maxPiece, random);
  }

  /**
   * Feeds {@code all} in random pieces of up to {@code maxPiece} bytes through a read buffer of
   * {@code buffer} bytes; after every step, what is held for a frame gathered on the side is at
   * most twice what arrived of it (or the first piece).
   */
  private static List<byte[]> decode(FrameFormat format, int maxFrame, int buffer, byte[] all, int maxPiece,
      Random random) throws Exception {
    FrameDecoder decoder = new FrameDecoder(format, maxFrame);
    ByteBuffer in = ByteBuffer.allocate(buffer);
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < all.length) {
      int n = Math.min(Math.min(1 + random.nextInt(maxPiece), in.remaining()), all.length - pos);
      in.put(all, pos, n);
      pos += n;
      in.flip();
      byte[] frame;
      while ((frame = decoder.next(in)) != null) {
        out.add(frame);
      }
      assertTrue(decoder.partialCapacity() <= Math.max(FrameDecoder.FIRST_PARTIAL_BUFFER, 2L * decoder.partialFilled()),
          "holds " + decoder.partialCapacity() + " bytes for " + decoder.partialFilled() + " received");
      in.compact();
    }
    assertTrue(!decoder.isInsideFrame(in), "nothing left over");
    return out;
  }

  /**
   * Frames far larger than the read buffer, gathered in pieces and then in their own array from
   * half-way (issue 15): every byte in place whatever the pieces, at lengths around the first
   * piece, the switch at half, and odd sizes; one byte over the buffer too.
   */
  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void largeFramesComeOutWholeFromPiecesOfAnySize(FrameFormat format) throws Exception {
    Random random = new Random(7);
    int buffer = 8192;
    int first = FrameDecoder.FIRST_PARTIAL_BUFFER;
    List<byte[]> sent = new ArrayList<>();
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int length : new int[] {buffer, buffer + 1, first - 1, first, first + 1, 2 * first, 2 * first + 1,
        3 * first + 5, 1_000_003, 2 * 1024 * 1024, 7}) {
      byte[] frame = new byte[length];
      random.nextBytes(frame);
      sent.add(frame);
      wire.writeBytes(format.encode(frame));
    }
    for (int maxPiece : new int[] {1_000, buffer, 3 * buffer}) {
      List<byte[]> received = decode(format, 4 * 1024 * 1024, buffer, wire.toByteArray(), maxPiece, random);
      assertEquals(sent.size(), received.size(), "pieces of up to " + maxPiece + " bytes");
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), received.get(i), "frame " + i + " (" + sent.get(i).length
            + " bytes), pieces of up to " + maxPiece);
      }
    }
  }

  /**
   * Found by the fuzzing review: a frame larger than the read buffer got an array of its announced
   * length at once, so a 4-byte header could make each connection reserve the maximum frame.
   */
  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void aLargeAnnouncedFrameCostsOnlyWhatArrives(FrameFormat format) throws Exception {
    int announced = 10 * 1024 * 1024;
    FrameDecoder decoder = new FrameDecoder(format, announced);
    byte[] header = new byte[format.headerLength(announced)];
    format.writeHeader(announced, header, 0);
    ByteBuffer in = ByteBuffer.allocate(8192);
    in.put(header).put(new byte[100]).flip();
    assertNull(decoder.next(in));
    assertTrue(decoder.partialCapacity() <= FrameDecoder.FIRST_PARTIAL_BUFFER,
        "holds " + decoder.partialCapacity() + " bytes for 100 received");
    // The rest arrives in pieces; the frame comes out whole.
    byte[] rest = new byte[announced - 100];
    rest[rest.length - 1] = 7;
    byte[] frame = null;
    for (int off = 0; off < rest.length; off += 8192) {
      ByteBuffer piece = ByteBuffer.wrap(rest, off, Math.min(8192, rest.length - off));
      frame = decoder.next(piece);
    }
    assertEquals(announced, frame.length);
    assertEquals(7, frame[announced - 1]);
  }
}
