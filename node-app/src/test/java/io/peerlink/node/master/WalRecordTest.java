package io.peerlink.node.master;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record format is byte for byte the documented one, whichever buffer it is encoded into. */
class WalRecordTest {

  private static byte[] bytes(ByteBuffer record) {
    byte[] out = new byte[record.remaining()];
    record.duplicate().get(out);
    return out;
  }

  /** The record as WalRecord's format comment spells it, built by hand. */
  private static byte[] byHand(EpochMark mark, long first, List<byte[]> blocks, List<byte[]> epochs) {
    ByteBuffer payload = ByteBuffer.allocate(4096);
    payload.put(epochs.isEmpty() ? WalRecord.KIND_BLOCKS : WalRecord.KIND_BLOCKS_AND_EPOCHS);
    payload.putLong(mark.epoch()).putLong(mark.epochStartMs()).putLong(mark.boundaryBlock()).putLong(first);
    payload.putInt(blocks.size());
    blocks.forEach(b -> payload.putInt(b.length).put(b));
    if (!epochs.isEmpty()) {
      payload.putInt(epochs.size());
      epochs.forEach(e -> payload.putInt(e.length).put(e));
    }
    int length = payload.position();
    ByteBuffer record = ByteBuffer.allocate(WalRecord.HEADER_BYTES + length);
    record.putInt(length).putInt(WalRecord.crc(payload.array(), 0, length)).put(payload.array(), 0, length);
    return record.array();
  }

  @Test
  void aRecordInTheReusedDirectBufferIsTheSameBytesAsTheFormatSays() throws Exception {
    BlockData synced = BlockData.decode(new BlockData(6, new byte[32], 2, 5, null, null, null, null, 0, 0, null,
        "raw".getBytes(UTF_8), null, null).encode());
    List<StoredBlock> blocks = List.of(new StoredBlock(5, "five".getBytes(UTF_8)), StoredBlock.of(6, synced),
        StoredBlock.owning(7, new byte[0]));
    EpochMark mark = new EpochMark(2, 5, 4);
    List<byte[]> epochs = List.of("entry".getBytes(UTF_8));
    RecordBuffer buffers = new RecordBuffer();
    for (List<byte[]> withEpochs : List.of(List.<byte[]>of(), epochs)) {
      byte[] expected = byHand(mark, 5, List.of("five".getBytes(UTF_8), synced.encode(), new byte[0]), withEpochs);
      assertArrayEquals(expected, bytes(WalRecord.encode(mark, 5, blocks, withEpochs)));
      ByteBuffer direct = WalRecord.encode(mark, 5, blocks, withEpochs, buffers::take);
      assertTrue(direct.isDirect());
      assertArrayEquals(expected, bytes(direct));
    }
  }

  @Test
  void theRecordBufferIsReusedAndGrowsOnlyUpToItsBound() {
    RecordBuffer buffers = new RecordBuffer();
    ByteBuffer first = buffers.take(100);
    assertEquals(0, first.position());
    assertEquals(100, first.limit());
    first.put((byte) 1);
    ByteBuffer again = buffers.take(50);
    assertSame(first, again, "one buffer for every record that fits");
    assertEquals(0, again.position());
    assertEquals(50, again.limit());
    ByteBuffer larger = buffers.take(1_000_000);
    assertTrue(larger.isDirect());
    assertTrue(larger.capacity() >= 1_000_000);
    ByteBuffer huge = buffers.take(RecordBuffer.KEEP_MAX_BYTES + 1);
    assertFalse(huge.isDirect(), "a record past the bound gets a buffer of its own, not kept");
    assertSame(larger, buffers.take(10), "the kept buffer stays the bounded one");
  }
}
