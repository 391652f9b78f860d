package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An empty master that starts its chain at a base block (joining a pruned network): {@link ChainBase}. */
class ChainBaseTest {
  private static final long T0 = 1_700_000_000_000L;
  @TempDir Path storage;
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  private ChainState open() throws IOException {
    return chains.track(ChainState.open(storage, new ChainOptions(ChainOptions.KEEP_ALL, 5, 16, 1000, 1 << 20),
        () -> T0 + 60_000));
  }

  /** Blocks from..to of a peer's chain in {@code epoch}, each chained on the one before. */
  private static List<BlockData> chain(long from, long to, long epoch) {
    List<BlockData> blocks = new ArrayList<>();
    byte[] parent = new byte[] {9, 9, 9}; // the base's parent: a block this master never holds
    for (long n = from; n <= to; n++) {
      BlockData block = Commits.syncedBlock(n, epoch, T0 + n, parent);
      blocks.add(block);
      parent = block.blockHash();
    }
    return blocks;
  }

  @Test
  void anEmptyMasterTakesABaseBlockAndChainsFromItAcrossRestarts() throws Exception {
    List<BlockData> peer = chain(6001, 6012, 0);
    ChainState state = open();
    assertEquals(new SyncBlocksResult(1, 6001, ""), state.syncBlocks(peer.subList(0, 1)), "the base alone");
    assertEquals(6001, state.firstRetainedBlock());
    assertEquals(new SyncBlocksResult(11, 6012, ""), state.syncBlocks(peer.subList(1, 12)));
    assertEquals(peer, state.blocksRange(6001, 6012));
    state.close();

    ChainState reopened = open();
    assertEquals(6001, reopened.firstRetainedBlock(), "the base survives restart");
    assertEquals(6012, reopened.lastBlockNumber());
    assertArrayEquals(peer.get(11).blockHash(), reopened.blocksRange(6012, 6012).get(0).blockHash());
    RefusedRequestException pruned = assertThrows(RefusedRequestException.class, () -> reopened.blocksRange(1, 10));
    assertEquals("get_blocks_range 1..10: blocks below 6001 were pruned (this master's chain starts at a base block,"
        + " as it joined a pruned network); it holds blocks 6001..6012", pruned.getMessage());
    BlockData forged = Commits.syncedBlock(6013, 0, T0, new byte[32]);
    assertTrue(reopened.syncBlocks(List.of(forged)).error().contains("block 6013 has parent_hash"),
        "chain links hold from the base on");
    BlockData linked = Commits.syncedBlock(6013, 0, T0, peer.get(11).blockHash());
    assertEquals(new SyncBlocksResult(1, 6013, ""), reopened.syncBlocks(List.of(linked)));
  }

  @Test
  void aMasterThatHoldsBlocksRefusesABaseAndWritesNothing() throws Exception {
    ChainState state = open();
    List<BlockData> start = chain(1, 3, 0);
    assertEquals(3, state.syncBlocks(start).syncedCount());
    SyncBlocksResult refused = state.syncBlocks(chain(100, 101, 0));
    assertEquals(0, refused.syncedCount());
    assertTrue(refused.error().contains("block 100 does not follow block 3"), refused.error());
    assertEquals(1, state.firstRetainedBlock());
  }

  @Test
  void blocksAfterTheBaseMustLinkToIt() throws Exception {
    ChainState state = open();
    List<BlockData> peer = chain(500, 502, 0);
    BlockData wrongParent = Commits.syncedBlock(501, 0, T0, new byte[32]);
    SyncBlocksResult refused = state.syncBlocks(List.of(peer.get(0), wrongParent));
    assertTrue(refused.error().contains("block 501 has parent_hash " + "00".repeat(32) + " but block 500 has block_hash"),
        refused.error());
    assertEquals(0, state.lastBlockNumber(), "nothing stored: the whole batch is refused");
    assertEquals(1, state.firstRetainedBlock(), "still empty, a base may still come");
    assertEquals(3, state.syncBlocks(peer).syncedCount());
  }

  @Test
  void theBaseBlocksEpochIsTakenAndLaterEpochRulesHold() throws Exception {
    ChainState state = open();
    assertEquals(1, state.syncBlocks(chain(700, 700, 7)).syncedCount());
    assertEquals(7, state.currentEpoch(), "the trusted base carries its epoch");
    List<BlockData> jump = List.of(Commits.syncedBlock(701, 9, T0, state.blocksRange(700, 700).get(0).blockHash()));
    assertTrue(state.syncBlocks(jump).error().contains("advance_epoch first"), "one epoch at a time from the base on");
  }

  @Test
  void aBaseSegmentCutShortByACrashLeavesAnEmptyStoreThatStillTakesABase() throws Exception {
    open().close(); // an empty store: segment 1, no block
    Path chainDir = storage.resolve(ChainState.CHAIN_DIRECTORY);
    // The crash: the base segment's header made it to disk, the base block's record did not.
    Segment.create(chainDir, 2, 39, EpochMark.INITIAL).close();
    ChainState reopened = open();
    assertEquals(0, reopened.lastBlockNumber());
    assertEquals(1, reopened.firstRetainedBlock(), "the unfinished base is gone: the store is empty again");
    assertEquals(List.of(chainDir.resolve(Segment.fileName(1))), segments(chainDir));
    assertEquals(1, reopened.syncBlocks(chain(40, 40, 0)).syncedCount());
    reopened.close();
    ChainState again = open();
    assertEquals(40, again.firstRetainedBlock());
    assertEquals(40, again.lastBlockNumber());
    assertEquals(1, segments(chainDir).size(), "the block-less segment before the base was let go");
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }
}
