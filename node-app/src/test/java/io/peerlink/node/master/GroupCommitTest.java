package io.peerlink.node.master;

import static io.peerlink.node.master.Commits.commit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.node.TestNodes;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.metrics.NodeMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on a real disk: commits staged while a write is under way share the next record
 * and its one fdatasync; nothing of a group is visible, awaited, answered or counted applied
 * (the block channel's meter) before that fsync; a group that is never written fails every commit in it and after it. The write is held
 * up by a real fault: the directory refuses the next segment file ({@link ScratchMount#freezeEntries}).
 */
class GroupCommitTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  /** Five blocks per segment: block 6 needs segment 2, which a frozen directory refuses. */
  private static final ChainOptions FIVE_PER_SEGMENT = TestNodes.chainOptions(1000, 5, 16, 1000, 1 << 20);

  @TempDir Path storage;
  @TempDir Path peerStorage;

  private Path chain() {
    return storage.resolve(ChainState.CHAIN_DIRECTORY);
  }

  /** A chain holding blocks 1-5, its first segment full. */
  private ChainState openWithFiveBlocks() throws IOException {
    ChainState state = ChainState.open(storage, FIVE_PER_SEGMENT);
    for (long n = 1; n <= 5; n++) {
      state.apply(commit(n, 1));
    }
    return state;
  }

  /** Commits 6..to submitted while block 6's write is stuck: 6 in the stuck group, the rest in the next. */
  private static List<CompletableFuture<IntakeOutcome>> submitWhileStuck(ChainState state, long to) throws Exception {
    List<CompletableFuture<IntakeOutcome>> outcomes = new ArrayList<>();
    outcomes.add(state.submit(Commit.of(commit(6, 1))));
    ChainStoreFaultsTest.await("block 6's write is stuck", () -> state.stuckReason().isPresent());
    for (long n = 7; n <= to; n++) {
      outcomes.add(state.submit(Commit.of(commit(n, 1))));
    }
    return outcomes;
  }

  @Test
  void commitsArrivingWhileAWriteRunsShareTheNextRecordAndItsOneFsync() throws Exception {
    List<Integer> groups = new CopyOnWriteArrayList<>();
    try (ChainState state = openWithFiveBlocks()) {
      state.onGroupWritten(groups::add);
      List<CompletableFuture<IntakeOutcome>> outcomes;
      ScratchMount.freezeEntries(chain(), true);
      try {
        outcomes = submitWhileStuck(state, 200);
        assertEquals(5, state.lastBlockNumber(), "nothing staged is visible before its fsync");
        assertTrue(outcomes.stream().noneMatch(CompletableFuture::isDone), "nor acknowledged");
      } finally {
        ScratchMount.freezeEntries(chain(), false);
      }
      for (CompletableFuture<IntakeOutcome> outcome : outcomes) {
        assertEquals(IntakeOutcome.APPLIED, outcome.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      }
      assertEquals(200, state.lastBlockNumber());
      assertEquals(List.of(1, 194), groups, "the stuck write, then everything staged meanwhile as one record");
    }
    try (ChainState reopened = ChainState.open(storage, FIVE_PER_SEGMENT)) {
      assertEquals(200, reopened.lastBlockNumber());
      List<BlockData> blocks = reopened.blocksRange(5, 200);
      for (int i = 1; i < blocks.size(); i++) {
        assertEquals(5 + i, blocks.get(i).blockNumber());
        assertTrue(java.util.Arrays.equals(blocks.get(i - 1).blockHash(), blocks.get(i).parentHash()),
            "block " + (5 + i) + " chains to its parent across the group boundary");
      }
    }
  }

  @Test
  void aGroupThatIsNeverWrittenIsNeitherVisibleNorAcknowledgedAndFailsTheGroupsAfterIt() throws Exception {
    ChainState state = openWithFiveBlocks();
    List<CompletableFuture<IntakeOutcome>> outcomes;
    CompletableFuture<Long> waiter = state.blockHeld(6); // request 12
    CompletableFuture<SyncBlocksResult> sync;
    ScratchMount.freezeEntries(chain(), true);
    try {
      outcomes = submitWhileStuck(state, 20);
      // A sync_blocks batch from a peer for blocks 21-22 stages after the commits and waits with them.
      List<BlockData> peerBlocks = peerBlocks(21, 22);
      sync = CompletableFuture.supplyAsync(() -> {
        try {
          return state.syncBlocks(peerBlocks);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      ChainStoreFaultsTest.await("the sync batch is staged", () -> state.stagedLastBlock() == 22);
      assertEquals(5, state.lastBlockNumber(), "status: nothing of the stuck groups");
      assertEquals(List.of(), state.blocksRange(6, 22), "get_blocks_range: nothing of the stuck groups");
      assertFalse(waiter.isDone(), "request 12's waiter is not woken");
      assertTrue(outcomes.stream().noneMatch(CompletableFuture::isDone), "no commit acknowledged");
      assertFalse(sync.isDone(), "the sync is not answered");
      state.close(); // gives up the stuck write
    } finally {
      ScratchMount.freezeEntries(chain(), false);
    }
    for (CompletableFuture<IntakeOutcome> outcome : outcomes) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> outcome.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      assertTrue(e.getCause().getMessage().contains("closed while a write waited to be retried"),
          e.getCause().getMessage());
    }
    ExecutionException syncFailure = assertThrows(ExecutionException.class,
        () -> sync.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    assertTrue(syncFailure.getCause().getMessage().contains("nothing was written"), syncFailure.getCause().getMessage());
    assertTrue(waiter.isCompletedExceptionally(), "the waiter ends with the shutdown, never with a block");
    try (ChainState reopened = ChainState.open(storage, FIVE_PER_SEGMENT)) {
      assertEquals(5, reopened.lastBlockNumber(), "no block of a group that was not acknowledged");
      assertEquals(IntakeOutcome.APPLIED, reopened.apply(commit(6, 1)), "the commits can be re-sent");
    }
  }

  @Test
  void syncBatchesArrivingWhileAWriteRunsShareOneRecordAndARefusalWaitsForThem() throws Exception {
    List<Integer> groups = new CopyOnWriteArrayList<>();
    List<BlockData> peer = peerBlocks(6, 12);
    BlockData forged = new BlockData(13, new byte[32], 1, 0, new byte[32], null, null, null, 0, 0, null);
    try (ChainState state = openWithFiveBlocks()) {
      state.onGroupWritten(groups::add);
      List<CompletableFuture<SyncBlocksResult>> answers = new ArrayList<>();
      ScratchMount.freezeEntries(chain(), true);
      try {
        answers.add(state.syncBlocksLater(peer.subList(0, 1))); // block 6 needs segment 2: stuck
        ChainStoreFaultsTest.await("block 6's write is stuck", () -> state.stuckReason().isPresent());
        answers.add(state.syncBlocksLater(peer.subList(1, 4)));
        answers.add(state.syncBlocksLater(peer.subList(4, 7)));
        answers.add(state.syncBlocksLater(List.of(forged))); // its parent is not block 12
        assertEquals(12, state.stagedLastBlock(), "each batch checked against the ones staged before it");
        assertEquals(5, state.lastBlockNumber());
        assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "none answered, not even the refusal");
      } finally {
        ScratchMount.freezeEntries(chain(), false);
      }
      List<SyncBlocksResult> results = new ArrayList<>();
      for (CompletableFuture<SyncBlocksResult> answer : answers) {
        results.add(answer.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      }
      assertEquals(List.of(1L, 3L, 3L, 0L), results.stream().map(SyncBlocksResult::syncedCount).toList());
      assertEquals(List.of(6L, 9L, 12L, 12L), results.stream().map(SyncBlocksResult::lastSyncedBlock).toList());
      assertTrue(results.get(3).error().contains("parent_hash"), results.get(3).error());
      assertEquals(List.of(1, 6), groups, "the stuck batch, then the next two in one record");
      assertEquals(12, state.lastBlockNumber());
    }
  }

  /**
   * The epoch rules of advance_epoch and sync_blocks are checked as each change is staged, against
   * the staged tip: while block 6's write is stuck (durable: block 5, epoch 1), a peer's batches
   * enter epochs 2 and 3 one request at a time, a batch going back below staged block 8's epoch is
   * refused, and advance_epoch's boundary, its lower-epoch check and a re-set's "previous start"
   * are the staged ones. Checked against the durable tip, each answer here would differ.
   */
  @Test
  void everyEpochRuleIsCheckedAgainstTheStagedTipNotTheDurableOne() throws Exception {
    long t0;
    try (ChainState state = openWithFiveBlocks()) {
      t0 = System.currentTimeMillis(); // at or after epoch 1's start (block 1's application time)
      byte[] parent = state.blocksRange(5, 5).get(0).blockHash();
      BlockData b6 = Commits.syncedBlock(6, 1, t0, parent);
      BlockData b7 = Commits.syncedBlock(7, 2, t0 + 1000, b6.blockHash());
      BlockData b8 = Commits.syncedBlock(8, 3, t0 + 2000, b7.blockHash());
      List<CompletableFuture<SyncBlocksResult>> answers = new ArrayList<>();
      CompletableFuture<AdvanceEpochResult> reset;
      ScratchMount.freezeEntries(chain(), true);
      try {
        answers.add(state.syncBlocksLater(List.of(b6)));
        ChainStoreFaultsTest.await("block 6's write is stuck", () -> state.stuckReason().isPresent());
        answers.add(state.syncBlocksLater(List.of(b7)));
        answers.add(state.syncBlocksLater(List.of(b8))); // epoch 3: the staged epoch 2's next
        answers.add(state.syncBlocksLater(List.of(Commits.syncedBlock(9, 2, t0 + 3000, b8.blockHash()))));
        assertEquals(8, state.stagedLastBlock());
        assertEquals(1, state.currentEpoch(), "the durable epoch");
        assertEquals("advance_epoch refused: boundary_block 9 is above this master's last block 8: epoch 4 cannot"
            + " begin after a block this master does not hold", refusedAtOnce(advanceLater(state, 4, t0 + 2500, 9)));
        assertEquals("advance_epoch refused: new_epoch 2 is lower than the current epoch 3",
            refusedAtOnce(advanceLater(state, 2, t0 + 2500, 8)));
        assertEquals("advance_epoch refused: epoch_start_timestamp_ms: epoch 3 would start at " + (t0 + 999)
            + " ms, before the previous epoch's start (" + (t0 + 1000) + " ms)",
            refusedAtOnce(advanceLater(state, 3, t0 + 999, 8)),
            "a re-set of epoch 3 is checked against staged epoch 2's start");
        reset = advanceLater(state, 3, t0 + 1500, 8);
        assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "nothing answered before its fsync");
      } finally {
        ScratchMount.freezeEntries(chain(), false);
      }
      List<SyncBlocksResult> results = new ArrayList<>();
      for (CompletableFuture<SyncBlocksResult> answer : answers) {
        results.add(answer.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      }
      assertEquals(List.of(1L, 1L, 1L, 0L), results.stream().map(SyncBlocksResult::syncedCount).toList());
      assertEquals("sync_blocks refused, nothing appended: block 9 has epoch 2, below block 8's epoch 3: epochs never"
          + " go back along a chain", results.get(3).error());
      assertEquals(new AdvanceEpochResult(3, t0 + 1500), reset.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(8, state.lastBlockNumber());
      assertEquals(3, state.currentEpoch());
    }
    try (ChainState reopened = ChainState.open(storage, FIVE_PER_SEGMENT)) {
      assertEquals(8, reopened.lastBlockNumber());
      assertEquals(3, reopened.currentEpoch());
      assertEquals(t0 + 1500, reopened.epochStartTimestampMs(), "the re-set, staged behind the batches, is durable");
    }
  }

  /** advance_epoch on another thread: an accepted one waits for its group's fsync. */
  private static CompletableFuture<AdvanceEpochResult> advanceLater(ChainState state, long epoch, long startMs,
      long boundary) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return state.advanceEpoch(epoch, startMs, boundary);
      } catch (IOException | RefusedRequestException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  /** The refusal's text; a refusal comes at once, so a call that waits (while a write is stuck) fails the test. */
  private static String refusedAtOnce(CompletableFuture<AdvanceEpochResult> call) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> call.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    assertTrue(e.getCause() instanceof RefusedRequestException, String.valueOf(e.getCause()));
    return e.getCause().getMessage();
  }

  @Test
  void theBlockChannelsIntakeCountsACommitAppliedOnlyOnceItsGroupIsDurable() throws Exception {
    try (NodeMetrics metrics = new NodeMetrics(); ChainState state = openWithFiveBlocks()) {
      CommitIntake intake = metrics.commitIntake(state); // what BlockChannelHandler feeds
      List<CompletableFuture<IntakeOutcome>> outcomes = new ArrayList<>();
      ScratchMount.freezeEntries(chain(), true);
      try {
        outcomes.add(intake.accept(Commit.of(commit(6, 1))).toCompletableFuture());
        ChainStoreFaultsTest.await("block 6's write is stuck", () -> state.stuckReason().isPresent());
        for (long n = 7; n <= 10; n++) {
          outcomes.add(intake.accept(Commit.of(commit(n, 1))).toCompletableFuture());
        }
        assertEquals(IntakeOutcome.REPEAT, intake.accept(Commit.of(commit(3, 1))).toCompletableFuture().join());
        assertEquals(0.0, commits(metrics, "applied"), "nothing counted applied before its fsync");
        assertEquals(1.0, commits(metrics, "repeat"), "a repeat is decided at once");
      } finally {
        ScratchMount.freezeEntries(chain(), false);
      }
      for (CompletableFuture<IntakeOutcome> outcome : outcomes) {
        assertEquals(IntakeOutcome.APPLIED, outcome.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      }
      assertEquals(5.0, commits(metrics, "applied"));
      assertEquals(10, state.lastBlockNumber());
    }
  }

  private static double commits(NodeMetrics metrics, String outcome) {
    return metrics.registry().get("peerlink.block.channel.commits").tag("outcome", outcome).counter().count();
  }

  /** Blocks {@code from..to} as a peer would serve them: chained onto a scratch chain of the same commits. */
  private List<BlockData> peerBlocks(long from, long to) throws Exception {
    try (ChainState peer = ChainState.open(peerStorage, TestNodes.chainOptions())) {
      for (long n = 1; n <= to; n++) {
        peer.apply(commit(n, 1));
      }
      return peer.blocksRange(from, to);
    }
  }
}
