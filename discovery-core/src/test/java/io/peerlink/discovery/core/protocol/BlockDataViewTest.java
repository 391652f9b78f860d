package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A decoded block's fields 12 and 13 are views of the encoding it keeps (issue 15): they must
 * show the right bytes when the block was read at an offset of a larger buffer, among other fields
 * and unknown ones, and stay put when that buffer is reused.
 */
class BlockDataViewTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  // Field 12 twice (the last wins, as in protobuf), unknown fields 40 and 41 between known ones.
  private static final byte[] BODY = hex("08 07  12 02 aabb  c2 02 01 07  62 03 010203  5a 01 ee  62 04 11223344"
      + "  6a 02 5566  c8 02 05  18 02");

  private static final BlockData EXPECTED = new BlockData(7, hex("aabb"), 2, 0, null, null, null, null, 0, 0,
      hex("ee"), hex("11223344"), hex("5566"), UnknownFields.of(hex("c2 02 01 07 c8 02 05")));

  @Test
  void aBlockReadAtAnOffsetOfALargerBufferKeepsItsOwnBytesWhenTheBufferIsReused() throws Exception {
    byte[] buffer = new byte[3 + BODY.length + 2];
    Arrays.fill(buffer, (byte) 0xff);
    System.arraycopy(BODY, 0, buffer, 3, BODY.length);
    BlockData block = BlockData.SCHEMA.read(new WireReader(buffer, 3, 3 + BODY.length));
    assertSameAsExpected(block);

    Arrays.fill(buffer, (byte) 0x5a); // the receive buffer is reused for the next frame
    assertSameAsExpected(block);
    block.rawBlockBytes()[0] = 0;
    block.backupData()[0] = 0;
    assertSameAsExpected(block);
  }

  @Test
  void theSecondBlockOfARangeAnswerViewsItsOwnBytes() throws Exception {
    byte[] other = BlockData.decode(EXPECTED.encode()).encode(); // the same fields, canonical order
    byte[] blocks = ByteBuffer.allocate(4 + other.length + BODY.length).put(hex("0a")).put((byte) other.length)
        .put(other).put(hex("0a")).put((byte) BODY.length).put(BODY).array();
    byte[] wire = ByteBuffer.allocate(3 + blocks.length).put(hex("aa 01")).put((byte) blocks.length).put(blocks).array();
    Response.BlocksRange range = assertInstanceOf(Response.BlocksRange.class, Response.decode(wire));
    Arrays.fill(wire, (byte) 0);
    assertEquals(range.blocks().get(0), range.blocks().get(1));
    assertSameAsExpected(range.blocks().get(1));
  }

  @Test
  void aTruncatedRawBlockBytesFieldIsRefusedAsBefore() {
    ProtocolException e = assertThrows(ProtocolException.class, () -> BlockData.decode(hex("08 07 62 05 0102")));
    assertEquals("length 5 at offset 3 exceeds the 2 bytes left", e.getMessage());
  }

  private static void assertSameAsExpected(BlockData block) {
    assertArrayEquals(hex("11223344"), block.rawBlockBytes());
    assertArrayEquals(hex("5566"), block.backupData());
    assertArrayEquals(hex("ee"), block.extraData());
    assertEquals(EXPECTED, block);
    assertEquals(EXPECTED.hashCode(), block.hashCode());
    assertEquals(EXPECTED.toString(), block.toString());
    assertArrayEquals(BODY, block.encode(), "written back as it came, field order and the replaced field 12 included");
    assertEquals(BODY.length, block.encodedSize());
    ByteBuffer out = ByteBuffer.allocate(BODY.length);
    block.encodeTo(out);
    assertArrayEquals(BODY, out.array());
  }
}
