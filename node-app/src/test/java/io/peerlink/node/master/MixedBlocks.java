package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.protocol.UnknownFields;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Blocks a master serves ranges of, synced onto a chain in batches as a peer's: small blocks,
 * 100 KB blocks and blocks with unknown fields written out of number order, in turn by number.
 */
final class MixedBlocks {
  private MixedBlocks() {}

  /** Syncs blocks after the chain's last up to {@code last} (block 1 is committed first when the chain is empty). */
  static void extend(ChainState state, int last, long timeMs) throws Exception {
    if (state.lastBlockNumber() == 0) {
      state.apply(Commits.commit(1, 1));
    }
    long from = state.lastBlockNumber() + 1;
    byte[] parent = state.blocksRange(from - 1, from - 1).get(0).blockHash();
    Random random = new Random(from);
    List<BlockData> batch = new ArrayList<>();
    for (long n = from; n <= last; n++) {
      BlockData b = block(n, parent, random, timeMs);
      batch.add(b);
      parent = b.blockHash();
      if (batch.size() == 16 || n == last) {
        SyncBlocksResult result = state.syncBlocks(batch);
        assertEquals("", result.error());
        batch.clear();
      }
    }
    assertEquals(last, state.lastBlockNumber());
  }

  /** Block {@code n}: 100 KB when n % 3 == 1, with unknown fields when n % 3 == 2, small otherwise. */
  static BlockData block(long n, byte[] parent, Random random, long timeMs) throws Exception {
    byte[] hash = ByteBuffer.allocate(32).putLong(n).putLong(0x5E12E15L).array();
    switch ((int) (n % 3)) {
      case 0:
        return Commits.syncedBlock(n, 1, timeMs, parent);
      case 1: {
        byte[] raw = new byte[100 * 1024];
        random.nextBytes(raw);
        return new BlockData(n, hash, 1, timeMs, parent, hash, null, null, 21_000, 30_000_000, null, raw,
            new byte[] {1, 2, 3}, UnknownFields.EMPTY);
      }
      default: {
        // Unknown fields 40 and 41 before and after the known ones: kept, and kept in place.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0xC2, 0x02, 0x02, 0x11, 0x22}); // field 40, 2 bytes
        bytes.write(Commits.syncedBlock(n, 1, timeMs, parent).encode());
        bytes.write(new byte[] {(byte) 0xC8, 0x02, 0x07}); // field 41, varint 7
        return BlockData.decode(bytes.toByteArray());
      }
    }
  }
}
