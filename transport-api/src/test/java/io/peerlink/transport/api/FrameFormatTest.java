package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import io.peerlink.transport.api.testing.AllocationMeter;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FrameFormatTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void queryChannelFramingMatchesTheProtocolExample() {
    // PROTOCOL.md: Request{get_current_epoch_request{}} is 00 00 00 02 32 00
    assertArrayEquals(hex("00 00 00 02 32 00"), FrameFormat.UINT32_BIG_ENDIAN.encode(hex("32 00")));
  }

  @Test
  void varintFramingIsProtobufsUvarint() {
    assertArrayEquals(hex("00"), FrameFormat.UVARINT.encode(new byte[0]));
    assertArrayEquals(hex("7f"), java.util.Arrays.copyOf(FrameFormat.UVARINT.encode(new byte[127]), 1));
    assertArrayEquals(hex("ac 02"), java.util.Arrays.copyOf(FrameFormat.UVARINT.encode(new byte[300]), 2));
    assertEquals(3, FrameFormat.UVARINT.headerLength(70_000));
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void encodeThenDecodeRoundTrips(FrameFormat format) throws Exception {
    for (int len : new int[] {0, 1, 127, 128, 16383, 16384, 70_000}) {
      byte[] payload = new byte[len];
      if (len > 0) {
        payload[len - 1] = 9;
      }
      byte[] wire = format.encode(payload);
      long h = format.decodeHeader(ByteBuffer.wrap(wire), 1 << 20);
      assertEquals(len, FrameFormat.payloadLengthOf(h));
      assertEquals(wire.length - len, FrameFormat.headerLengthOf(h));
      assertArrayEquals(payload, format.readFrame(new ByteArrayInputStream(wire), 1 << 20));
      // every strict prefix of the header is "need more", never an error
      for (int cut = 0; cut < FrameFormat.headerLengthOf(h); cut++) {
        assertEquals(FrameFormat.NEED_MORE, format.decodeHeader(ByteBuffer.wrap(wire, 0, cut), 1 << 20));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void lengthOverTheMaximumIsRefusedBeforeAllocation(FrameFormat format) {
    byte[] wire = format.encode(new byte[101]);
    FrameFormatException e = assertThrows(FrameFormatException.class,
        () -> format.decodeHeader(ByteBuffer.wrap(wire), 100));
    assertTrue(e.getMessage().contains("101") && e.getMessage().contains("100"), e.getMessage());
    assertThrows(FrameFormatException.class, () -> format.readFrame(new ByteArrayInputStream(wire), 100));
  }

  @Test
  void hugeAnnouncedLengthsNeverAllocate() {
    // 0xFFFFFFFF announced with a 4-byte header; a 10-byte varint of all ones.
    assertThrows(FrameFormatException.class,
        () -> FrameFormat.UINT32_BIG_ENDIAN.readFrame(new ByteArrayInputStream(hex("ff ff ff ff")), Integer.MAX_VALUE));
    assertThrows(FrameFormatException.class,
        () -> FrameFormat.UVARINT.readFrame(new ByteArrayInputStream(hex("ff ff ff ff ff ff ff ff ff 01")), Integer.MAX_VALUE));
  }

  @Test
  void varintLongerThanTenBytesIsRefused() {
    byte[] eleven = hex("80 80 80 80 80 80 80 80 80 80 00");
    FrameFormatException e = assertThrows(FrameFormatException.class,
        () -> FrameFormat.UVARINT.decodeHeader(ByteBuffer.wrap(eleven), 100));
    assertTrue(e.getMessage().contains("10 bytes"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void streamEndsAreTold(FrameFormat format) throws Exception {
    assertNull(format.readFrame(new ByteArrayInputStream(new byte[0]), 100), "clean end between frames");
    byte[] wire = format.encode(new byte[10]);
    byte[] cut = java.util.Arrays.copyOf(wire, wire.length - 3);
    assertThrows(EOFException.class, () -> format.readFrame(new ByteArrayInputStream(cut), 100));
  }

  /**
   * Found by FrameFormatFuzzTest: a varint header announcing 704,511 bytes (ff ff 2a) followed by
   * 11 bytes made readFrame allocate the whole announced length up front (707,408 bytes for 14
   * bytes of input), so a hostile peer could make the reader reserve the cap with a few bytes.
   */
  @Test
  void aTruncatedFrameCostsMemoryByTheBytesReceivedNotByItsHeader() {
    byte[] wire = hex("ff ff 2a 01 ff ff ff ff ff ff 2a ff ff 01");
    assertThrows(EOFException.class,
        () -> FrameFormat.UVARINT.readFrame(new ByteArrayInputStream(wire), 16 << 20)); // warm-up
    long before = AllocationMeter.allocatedBytes();
    assertThrows(EOFException.class, () -> FrameFormat.UVARINT.readFrame(new ByteArrayInputStream(wire), 16 << 20));
    long allocated = AllocationMeter.allocatedBytes() - before;
    assertTrue(!AllocationMeter.isSupported() || allocated < FrameFormat.READ_CHUNK + 16 * 1024,
        "allocated " + allocated + " bytes for a 14-byte input");
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void framesLargerThanTheFirstReadChunkArriveWhole(FrameFormat format) throws Exception {
    byte[] payload = new byte[3 * FrameFormat.READ_CHUNK + 5];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    assertArrayEquals(payload, format.readFrame(new ByteArrayInputStream(format.encode(payload)), 1 << 20));
  }
}
