package io.peerlink.node.master;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.peerlink.discovery.core.protocol.BlockData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who owns a stored block's bytes, and that every way of making one writes the same bytes. */
class StoredBlockTest {
  @TempDir Path dir;

  private static BlockData decodedBlock(long number) throws Exception {
    byte[] raw = ("raw block " + number).getBytes(UTF_8);
    BlockData built = new BlockData(number, new byte[32], 0, 1_000, null, null, null, null, 0, 0, null, raw, null, null);
    return BlockData.decode(built.encode()); // as a peer's answer arrives: the bytes kept as they came
  }

  @Test
  void aBlockMadeFromTheCallersArrayKeepsItsBytesWhenTheCallerChangesThem() {
    byte[] mine = "block-1".getBytes(UTF_8);
    StoredBlock block = new StoredBlock(1, mine);
    mine[0] = 'X';
    assertArrayEquals("block-1".getBytes(UTF_8), block.data());
    block.data()[0] = 'Y'; // data() hands out a copy too
    assertArrayEquals("block-1".getBytes(UTF_8), block.data());
  }

  @Test
  void anOwningBlockTakesTheArrayItIsHandedWithoutACopy() {
    byte[] handed = "block-2".getBytes(UTF_8);
    StoredBlock block = StoredBlock.owning(2, handed);
    ByteBuffer out = ByteBuffer.allocate(block.length());
    block.writeTo(out);
    assertArrayEquals(handed, out.array());
    assertEquals(new StoredBlock(2, "block-2".getBytes(UTF_8)), block);
    assertNull(block.decoded());
  }

  @Test
  void aBlockOfBlockDataWritesItsBytesAsTheyCameAndKeepsTheBlock() throws Exception {
    BlockData theirs = decodedBlock(3);
    StoredBlock block = StoredBlock.of(3, theirs);
    assertEquals(theirs.encodedSize(), block.length());
    ByteBuffer out = ByteBuffer.allocateDirect(block.length() + 1);
    block.writeTo(out);
    assertEquals(block.length(), out.position());
    byte[] written = new byte[block.length()];
    out.flip().get(written);
    assertArrayEquals(theirs.encode(), written);
    assertArrayEquals(theirs.encode(), block.data());
    assertSame(theirs, block.decoded(), "the staged block is read back without decoding its bytes");
    assertEquals(new StoredBlock(3, theirs.encode()), block);
    assertEquals(new StoredBlock(3, theirs.encode()).hashCode(), block.hashCode());
  }

  @Test
  void theStoreReadsBackEveryKindOfBlockByteForByte() throws Exception {
    BlockData synced = decodedBlock(2);
    try (ChainStore store = ChainStore.open(dir, 0, 10)) {
      store.append(ChainLogs.mark(0), List.of(new StoredBlock(1, "block-1".getBytes(UTF_8)),
          StoredBlock.of(2, synced), StoredBlock.owning(3, "block-3".getBytes(UTF_8))));
    }
    try (ChainStore store = ChainStore.open(dir, 0, 10)) {
      List<byte[]> read = store.read(1, 3, Long.MAX_VALUE);
      assertArrayEquals("block-1".getBytes(UTF_8), read.get(0));
      assertArrayEquals(synced.encode(), read.get(1));
      assertArrayEquals("block-3".getBytes(UTF_8), read.get(2));
    }
  }
}
