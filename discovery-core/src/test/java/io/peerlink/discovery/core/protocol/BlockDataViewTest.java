package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A decoded block's fields 12 and 13 are views of the encoding it keeps, and that encoding is a view
 * of the frame when {@link Response#decode} took the frame over (issue 15): the blocks of a range
 * answer must share the frame and show the right bytes at any offset in it, among other fields and
 * unknown ones; every decoder whose caller may reuse its array ({@link BlockData#decode}, a
 * {@link WireReader} not made owning, {@link Request#decode}) must copy, and so must a response
 * whose blocks are too small a part of its frame to hold it alive.
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

  /** get_blocks_range_response, field 21 of Response. */
  private static final int RANGE = 21;
  /** A field neither Response nor GetBlocksRangeResponse knows, as a varint: 9 = 1. */
  private static final byte[] UNKNOWN_9 = hex("48 01");
  /** Response's unknown field 100 = 5, before the payload. */
  private static final byte[] UNKNOWN_100 = hex("a0 06 05");

  @Test
  void aRangeAnswersBlocksAreViewsOfTheFrameItself() throws Exception {
    byte[] first = BlockData.decode(EXPECTED.encode()).encode(); // the same fields, canonical order
    byte[] wire = rangeAnswer(first, BODY, BODY);
    List<BlockData> blocks = blocks(Response.decode(wire));

    int second = indexOf(wire, BODY, 0);
    int third = indexOf(wire, BODY, second + BODY.length);
    assertSame(wire, blocks.get(1).encoding().array(), "the block's encoding is the frame, not a copy");
    assertEquals(second, blocks.get(1).encoding().offset());
    assertSame(wire, blocks.get(2).encoding().array());
    assertEquals(third, blocks.get(2).encoding().offset());
    assertSame(wire, blocks.get(0).encoding().array());

    // Fields 12 and 13 view the frame too: a change to it (which the contract forbids) shows through.
    wire[indexOf(wire, hex("11223344"), third)] = 0x7f;
    wire[indexOf(wire, hex("5566"), third)] = 0x7f;
    assertArrayEquals(hex("7f223344"), blocks.get(2).rawBlockBytes());
    assertArrayEquals(hex("7f66"), blocks.get(2).backupData());
    assertSameAsExpected(blocks.get(1), "second block, untouched");
  }

  @Test
  void theSecondAndLaterBlocksShowTheirOwnBytesAtTheirOffsetsAmongUnknownFields() throws Exception {
    byte[] first = BlockData.decode(EXPECTED.encode()).encode();
    List<BlockData> blocks = blocks(Response.decode(rangeAnswer(first, BODY, BODY)));
    assertEquals(3, blocks.size());
    assertEquals(blocks.get(0), blocks.get(1));
    assertArrayEquals(first, blocks.get(0).encode());
    assertSameAsExpected(blocks.get(1), "second block");
    assertSameAsExpected(blocks.get(2), "third block");
  }

  @Test
  void aBlockReadAtAnOffsetOfALargerBufferKeepsItsOwnBytesWhenTheBufferIsReused() throws Exception {
    byte[] buffer = new byte[3 + BODY.length + 2];
    Arrays.fill(buffer, (byte) 0xff);
    System.arraycopy(BODY, 0, buffer, 3, BODY.length);
    BlockData block = BlockData.SCHEMA.read(new WireReader(buffer, 3, 3 + BODY.length));
    assertNotSame(buffer, block.encoding().array());
    assertSameAsExpected(block, "read at offset 3");

    Arrays.fill(buffer, (byte) 0x5a); // the receive buffer is reused for the next frame
    assertSameAsExpected(block, "after the buffer was reused");
    block.rawBlockBytes()[0] = 0;
    block.backupData()[0] = 0;
    assertSameAsExpected(block, "after its copies were changed");
  }

  @Test
  void blockDataDecodeCopiesWhatItKeeps() throws Exception {
    byte[] bytes = BODY.clone();
    BlockData block = BlockData.decode(bytes);
    Arrays.fill(bytes, (byte) 0);
    assertSameAsExpected(block, "after the array was reused");
  }

  @Test
  void aSyncBlocksRequestCopiesWhatItKeeps() throws Exception {
    byte[] wire = new Request.SyncBlocks(List.of(BlockData.decode(BODY), BlockData.decode(BODY))).encode();
    Request.SyncBlocks request = assertInstanceOf(Request.SyncBlocks.class, Request.decode(wire));
    Arrays.fill(wire, (byte) 0);
    assertSameAsExpected(request.blocks().get(1), "second block of a sync_blocks request after the array was reused");
  }

  @Test
  void aFrameMostlyOfBytesNoBlockKeepsIsNotHeldAliveByItsBlocks() throws Exception {
    byte[] padding = lenField(9, new byte[4 * BODY.length]); // an unknown field of the range answer
    byte[] wire = concat(UNKNOWN_100, lenField(RANGE, concat(lenField(1, BODY), padding)));
    BlockData block = blocks(Response.decode(wire)).get(0);
    assertNotSame(wire, block.encoding().array(), "blocks of under half the frame are copied out of it");
    Arrays.fill(wire, (byte) 0);
    assertSameAsExpected(block, "copied out of a padded frame");
  }

  @Test
  void aMergedPayloadCopiesWhatItKeeps() throws Exception {
    // The payload twice: protobuf merges the two, so both blocks are in the answer.
    byte[] wire = concat(lenField(RANGE, lenField(1, BODY)), lenField(RANGE, lenField(1, BODY)));
    List<BlockData> blocks = blocks(Response.decode(wire));
    assertEquals(2, blocks.size());
    assertNotSame(wire, blocks.get(1).encoding().array());
    Arrays.fill(wire, (byte) 0);
    assertSameAsExpected(blocks.get(1), "second block of a merged payload");
  }

  @Test
  void aTruncatedRawBlockBytesFieldIsRefusedAsBefore() {
    ProtocolException e = assertThrows(ProtocolException.class, () -> BlockData.decode(hex("08 07 62 05 0102")));
    assertEquals("length 5 at offset 3 exceeds the 2 bytes left", e.getMessage());
  }

  /** Response{unknown 100, get_blocks_range_response{each block, with unknown field 9 around them, count}}. */
  private static byte[] rangeAnswer(byte[]... blocks) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(UNKNOWN_9);
    for (byte[] b : blocks) {
      body.writeBytes(lenField(1, b));
      body.writeBytes(UNKNOWN_9);
    }
    body.writeBytes(hex("10"));
    body.write(blocks.length);
    return concat(UNKNOWN_100, lenField(RANGE, body.toByteArray()));
  }

  private static List<BlockData> blocks(Response r) {
    return assertInstanceOf(Response.BlocksRange.class, r).blocks();
  }

  private static byte[] lenField(int field, byte[] body) {
    WireWriter w = WireWriter.ofSize(WireWriter.lenFieldSize(field, body.length));
    w.lenHeader(field, body.length);
    w.raw(body);
    return w.finish();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] in, byte[] what, int from) {
    for (int i = from; i <= in.length - what.length; i++) {
      if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    throw new AssertionError(HexFormat.of().formatHex(what) + " not found after offset " + from);
  }

  private static void assertSameAsExpected(BlockData block, String which) {
    assertArrayEquals(hex("11223344"), block.rawBlockBytes(), which);
    assertArrayEquals(hex("5566"), block.backupData(), which);
    assertArrayEquals(hex("ee"), block.extraData(), which);
    assertEquals(EXPECTED, block, which);
    assertEquals(EXPECTED.hashCode(), block.hashCode(), which);
    assertEquals(EXPECTED.toString(), block.toString(), which);
    assertArrayEquals(BODY, block.encode(), which + ": written back as it came, field order and the replaced field 12 included");
    assertEquals(BODY.length, block.encodedSize(), which);
    ByteBuffer out = ByteBuffer.allocate(5 + BODY.length + 3);
    out.put(hex("0102030405"));
    block.encodeTo(out);
    assertEquals(5 + BODY.length, out.position(), which + ": encodeTo puts encodedSize bytes");
    assertArrayEquals(BODY, Arrays.copyOfRange(out.array(), 5, 5 + BODY.length), which + ": encodeTo at position 5");
    assertArrayEquals(new byte[3], Arrays.copyOfRange(out.array(), 5 + BODY.length, out.capacity()), which);
  }
}
