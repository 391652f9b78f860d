package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.peerlink.discovery.core.proto.Seed;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Blocks handed on keep every byte: fields 12 and 13, fields no generation defines, their order;
 * and the block channel's two messages are told apart.
 */
class PassThroughTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  /** A Go master's block: fields 12 and 13, and an unknown field 40 written before field 1. */
  private static byte[] goBlock(long number) {
    Seed.BlockData known = Seed.BlockData.newBuilder().setBlockNumber(number).setBlockHash(ByteString.copyFrom(new byte[32]))
        .setRawBlockBytes(ByteString.copyFromUtf8("raw-" + number)).setBackupData(ByteString.copyFromUtf8("backup"))
        .build();
    byte[] unknown = UnknownFieldSet.newBuilder().addField(40, UnknownFieldSet.Field.newBuilder()
        .addLengthDelimited(ByteString.copyFromUtf8("later generation")).build()).build().toByteArray();
    byte[] out = new byte[unknown.length + known.getSerializedSize()];
    System.arraycopy(unknown, 0, out, 0, unknown.length);
    System.arraycopy(known.toByteArray(), 0, out, unknown.length, known.getSerializedSize());
    return out;
  }

  @Test
  void aBlockFromARangeAnswerGoesIntoSyncBlocksByteForByte() throws Exception {
    byte[] first = goBlock(7);
    byte[] second = goBlock(8);
    Seed.Response answer = Seed.Response.newBuilder().setGetBlocksRangeResponse(Seed.GetBlocksRangeResponse.newBuilder()
        .addBlocks(Seed.BlockData.parseFrom(first)).addBlocks(Seed.BlockData.parseFrom(second)).setCount(2)).build();
    // protobuf-java re-sorts the unknown field; take the wire bytes as a Go master writes them instead.
    byte[] wire = concat(hex("aa 01"), varint(2 + first.length + 2 + second.length + 2),
        hex("0a"), varint(first.length), first, hex("0a"), varint(second.length), second, hex("10 02"));
    Response.BlocksRange range = assertInstanceOf(Response.BlocksRange.class, Response.decode(wire));
    assertEquals(answer.getGetBlocksRangeResponse().getBlocksList().size(), range.blocks().size());

    BlockData block = range.blocks().get(0);
    assertArrayEquals("raw-7".getBytes(), block.rawBlockBytes());
    assertArrayEquals("backup".getBytes(), block.backupData());
    assertTrue(block.hasRawBlockBytes());
    assertEquals(UnknownFields.of(java.util.Arrays.copyOf(first, 19)), block.unknownFields(),
        "field 40 (c2 02 10 + 16 bytes) is kept as it came");
    assertArrayEquals(first, block.encode(), "the block is written back exactly as it came");

    byte[] sync = new Request.SyncBlocks(range.blocks()).encode();
    Seed.Request parsed = Seed.Request.parseFrom(sync);
    assertEquals(2, parsed.getSyncBlocksRequest().getBlocksCount());
    assertEquals(ByteString.copyFromUtf8("raw-8"), parsed.getSyncBlocksRequest().getBlocks(1).getRawBlockBytes());
    assertEquals(ByteString.copyFromUtf8("backup"), parsed.getSyncBlocksRequest().getBlocks(1).getBackupData());
    assertTrue(parsed.getSyncBlocksRequest().getBlocks(0).getUnknownFields().hasField(40));
    assertArrayEquals(concat(hex("b2 01"), varint(2 + first.length + 2 + second.length), hex("0a"), varint(first.length),
        first, hex("0a"), varint(second.length), second), sync, "sync_blocks carries both blocks' bytes unchanged");
  }

  @Test
  void aBuiltBlockWritesTheCanonicalBytesAndEqualsItsDecodedSelf() throws Exception {
    BlockData built = new BlockData(1, new byte[] {1}, 2, 3, null, null, null, null, 0, 0, null, new byte[] {9},
        new byte[] {8}, UnknownFields.of(hex("c2 02 01 07")));
    byte[] bytes = built.encode();
    assertEquals(Seed.BlockData.parseFrom(bytes).getRawBlockBytes(), ByteString.copyFrom(new byte[] {9}));
    assertEquals(built, BlockData.decode(bytes));
    assertArrayEquals(hex("c2 02 01 07"), BlockData.decode(bytes).unknownFields().toByteArray());
  }

  @Test
  void encodeToWritesTheSameBytesAsEncodeDecodedOrBuilt() throws Exception {
    BlockData decoded = BlockData.decode(goBlock(9));
    BlockData built = new BlockData(1, new byte[] {1}, 2, 3, null, null, null, null, 0, 0, null, new byte[] {9},
        new byte[] {8}, UnknownFields.of(hex("c2 02 01 07")));
    for (BlockData block : List.of(decoded, built)) {
      java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(block.encodedSize() + 2);
      out.put((byte) 5);
      block.encodeTo(out);
      assertEquals(1 + block.encodedSize(), out.position(), "exactly encodedSize() bytes, at the position");
      assertArrayEquals(block.encode(), java.util.Arrays.copyOfRange(out.array(), 1, out.position()));
    }
    assertArrayEquals(goBlock(9), decoded.encode(), "writing the bytes out leaves the block as it came");
    assertThrows(java.nio.BufferOverflowException.class,
        () -> decoded.encodeTo(java.nio.ByteBuffer.allocate(decoded.encodedSize() - 1)));
  }

  @Test
  void theBlockChannelsTwoMessagesAreToldApart() throws Exception {
    byte[] commit = new CommittedEpochData(List.of(new CommittedBlock(3, 1, List.of())), 5, 0, 3, 1000).encode();
    byte[] executable = new ExecutableBlock(List.of(new TransactionExe(new byte[] {1, 2}, 0)), 5, 0, 3, 1000, 0, null, 0,
        null).encode();
    byte[] numbered = new ExecutableBlock(List.of(), 5, 0, 3, 1000, 0, null, 4, null).encode();
    byte[] bare = new CommittedEpochData(List.of(), 5, 0, 3, 1000).encode();
    assertEquals(BlockChannelMessage.Kind.COMMITTED_EPOCH_DATA, BlockChannelMessage.kindOf(commit));
    assertEquals(BlockChannelMessage.Kind.EXECUTABLE_BLOCK, BlockChannelMessage.kindOf(executable));
    assertEquals(BlockChannelMessage.Kind.EXECUTABLE_BLOCK, BlockChannelMessage.kindOf(numbered));
    assertEquals(BlockChannelMessage.Kind.EITHER, BlockChannelMessage.kindOf(bare));
    // Read with the wrong schema, protobuf would take the transaction as an empty block: that is what must not happen.
    assertEquals(1, CommittedEpochData.decode(executable).blocks().size());
    assertThrows(ProtocolException.class, () -> BlockChannelMessage.kindOf(concat(commit, hex("40 04"))));
  }

  private static byte[] varint(int v) {
    byte[] out = new byte[5];
    int n = 0;
    while ((v & ~0x7F) != 0) {
      out[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[n++] = (byte) v;
    return java.util.Arrays.copyOf(out, n);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
