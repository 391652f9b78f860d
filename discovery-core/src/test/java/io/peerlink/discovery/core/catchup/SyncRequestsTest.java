package io.peerlink.discovery.core.catchup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import io.peerlink.discovery.core.testing.TestNetwork;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch larger than a master's frame limit reaches it as several sync_blocks requests; a block
 * no request could carry is the sending peer's fault.
 */
class SyncRequestsTest {

  /** Block n with {@code bytes} of extra data, chained to block n-1. */
  private static BlockData big(long n, int bytes) {
    BlockData plain = RecordingMasterState.block(n);
    return new BlockData(n, plain.blockHash(), plain.epoch(), plain.timestampMs(), plain.parentHash(), null, null,
        null, 0, 0, new byte[bytes]);
  }

  private static List<BlockData> bigBlocks(int count, int bytes) {
    List<BlockData> blocks = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      blocks.add(big(n, bytes));
    }
    return blocks;
  }

  @Test
  void aBatchIsSplitIntoRequestsUnderTheLimitInOrder() {
    List<BlockData> blocks = bigBlocks(30, 1 << 20);
    List<List<BlockData>> requests = SyncRequests.split(blocks, BlockSink.SYNC_REQUEST_BYTES);
    assertTrue(requests.size() >= 4, requests.size() + " requests");
    List<BlockData> joined = new ArrayList<>();
    for (List<BlockData> r : requests) {
      long bytes = r.stream().mapToLong(b -> b.encode().length + 6L).sum();
      assertTrue(bytes <= BlockSink.SYNC_REQUEST_BYTES, bytes + " bytes in one request");
      joined.addAll(r);
    }
    assertEquals(blocks, joined);
    assertEquals(List.of(List.of(big(1, 10))), SyncRequests.split(List.of(big(1, 10)), 1), "one block at least");
  }

  @Test
  void aBatchOverTheMastersFrameLimitIsSyncedWhole() throws Exception {
    List<BlockData> blocks = bigBlocks(30, 1 << 20); // 30 MiB: over the 16 MiB a master's frame may hold
    assertTrue(30L << 20 > ConnectOptions.DEFAULT_MAX_FRAME_LENGTH);
    RecordingMasterState state = new RecordingMasterState();
    try (TestNetwork net = new TestNetwork()) {
      Endpoint local = net.local("local", state);
      try (MasterClient client = new MasterClient(net.registry, local, Duration.ofSeconds(20))) {
        long last = BlockSink.syncBlocksTo(client).apply(blocks).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(30, last);
      }
    }
    assertEquals(blocks, state.chain);
    assertTrue(state.mutations.size() >= 4 && state.mutations.stream().allMatch(m -> m.startsWith("sync_blocks ")),
        state.mutations.toString());
  }

  @Test
  void aBlockNoRequestCanCarryFailsTheBatchAndSoItsPeer() {
    List<BlockData> batch = List.of(big(5, 100), big(6, BlockSink.SYNC_REQUEST_BYTES + 1));
    String problem = BatchCheck.verify(batch, 5, 6, RecordingMasterState.block(4).blockHash());
    assertTrue(problem != null && problem.startsWith("block 6 is ") && problem.contains("no master could take it"),
        problem);
  }

  private static BlockData inEpoch(long n, long epoch) {
    BlockData plain = RecordingMasterState.block(n);
    return new BlockData(n, plain.blockHash(), epoch, plain.timestampMs(), plain.parentHash(), null, null, null, 0, 0,
        null);
  }

  @Test
  void blocksMoreThanOneEpochAheadOfTheMasterArePrecededByAdvanceEpoch() throws Exception {
    List<BlockData> blocks = List.of(inEpoch(1, 5), inEpoch(2, 5), inEpoch(3, 6), inEpoch(4, 6), inEpoch(5, 8));
    List<SyncRequests.EpochRun> runs = SyncRequests.epochRuns(blocks, 0);
    assertEquals(List.of(new SyncRequests.EpochRun(true, blocks.subList(0, 2)),
        new SyncRequests.EpochRun(false, blocks.subList(2, 4)), new SyncRequests.EpochRun(true, blocks.subList(4, 5))),
        runs);
    RecordingMasterState state = new RecordingMasterState();
    state.epoch = 0;
    try (TestNetwork net = new TestNetwork()) {
      Endpoint local = net.local("local", state);
      try (MasterClient client = new MasterClient(net.registry, local, Duration.ofSeconds(20))) {
        assertEquals(5L, BlockSink.syncBlocksTo(client).apply(blocks).toCompletableFuture().get(60, TimeUnit.SECONDS));
      }
    }
    assertEquals(List.of("advance_epoch 5", "sync_blocks 2", "sync_blocks 2", "advance_epoch 8", "sync_blocks 1"),
        state.mutations);
    assertEquals(RecordingMasterState.block(5).timestampMs(), state.epochStart, "epoch 8 starts at its first block");
  }

  @Test
  void aMasterInThisProcessGetsTheSameRequestsWithoutItsSocket() throws Exception {
    List<BlockData> blocks = List.of(inEpoch(1, 5), inEpoch(2, 5), inEpoch(3, 6), inEpoch(4, 6), inEpoch(5, 8));
    RecordingMasterState state = new RecordingMasterState();
    state.epoch = 0;
    BlockSink sink = BlockSink.syncBlocksTo(state, "the local master (in this process)", Runnable::run);
    assertEquals(5L, sink.apply(blocks).toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertEquals(List.of("advance_epoch 5", "sync_blocks 2", "sync_blocks 2", "advance_epoch 8", "sync_blocks 1"),
        state.mutations);
    assertEquals(blocks, state.chain);
    assertEquals("the local master (in this process)", sink.name());

    RecordingMasterState big = new RecordingMasterState();
    List<BlockData> over = bigBlocks(30, 1 << 20);
    assertEquals(30L, BlockSink.syncBlocksTo(big, "m", java.util.concurrent.ForkJoinPool.commonPool()).apply(over).toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertEquals(over, big.chain);
    assertTrue(big.mutations.size() >= 4, "split as over the socket: " + big.mutations);
  }

  @Test
  void aRefusalByTheMasterInThisProcessFailsTheBatchWithItsWords() {
    RecordingMasterState refusing = new RecordingMasterState() {
      @Override
      public SyncBlocksResult syncBlocks(List<BlockData> blocks) {
        return new SyncBlocksResult(0, 0, "block 1 does not chain");
      }
    };
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> BlockSink.syncBlocksTo(refusing, "m", Runnable::run)
            .apply(List.of(RecordingMasterState.block(1))).toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("refused: block 1 does not chain"), e.getCause().toString());
  }
}
