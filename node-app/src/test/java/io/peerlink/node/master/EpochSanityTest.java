package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.protocol.TransactionExe;
import io.peerlink.node.TestNodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Epoch sanity on the master (issue 14 item 3): what advance_epoch and sync_blocks refuse, each
 * against a caller that lies, and the operator's repair of a poisoned epoch.
 */
class EpochSanityTest {
  @TempDir Path storage;
  @TempDir Path source;

  private static final long NOW = 1_700_000_000_000L;
  private static final long MAX = -1L; // 2^64-1
  private static final long SKEW = Duration.ofMinutes(10).toMillis(); // this test's master.max_clock_skew
  private final AtomicLong clock = new AtomicLong(NOW);
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  private ChainState open(Path path) throws IOException {
    ChainOptions options = new ChainOptions(1000, 2, 16, 1000, 1 << 20, Duration.ofMillis(SKEW));
    return chains.track(ChainState.open(path, options, clock::get));
  }


  /** Commit n of an epoch, with a consensus time before NOW. */
  private static CommittedEpochData commit(long n, long epoch) {
    byte[] digest = ByteBuffer.allocate(32).putLong(n).putLong(epoch).array();
    return new CommittedEpochData(List.of(new CommittedBlock(epoch, n, List.of(new TransactionExe(digest, 0)))), n,
        (int) n, epoch, NOW - 100_000 + n);
  }

  private static String refusal(ThrowingCall call) {
    return assertThrows(RefusedRequestException.class, call::run).getMessage();
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void advanceEpochRefusesABoundaryItDoesNotHoldAndAStartOutOfTime() throws Exception {
    ChainState state = open(storage);
    for (long n = 1; n <= 5; n++) {
      state.apply(commit(n, 3));
    }
    long start3 = state.epochStartTimestampMs();
    assertEquals("advance_epoch refused: boundary_block 6 is above this master's last block 5: epoch 4 cannot begin"
        + " after a block this master does not hold", refusal(() -> state.advanceEpoch(4, NOW, 6)));
    assertEquals("advance_epoch refused: epoch_start_timestamp_ms: epoch 4 would start at " + (NOW + SKEW + 1)
        + " ms, more than " + SKEW + " ms (master.max_clock_skew) ahead of this master's clock (" + NOW + " ms)",
        refusal(() -> state.advanceEpoch(4, NOW + SKEW + 1, 5)));
    assertTrue(refusal(() -> state.advanceEpoch(MAX, MAX, 5)).contains("would start at 18446744073709551615 ms"));
    assertEquals("advance_epoch refused: epoch_start_timestamp_ms: epoch 4 would start at " + (start3 - 1)
        + " ms, before the previous epoch's start (" + start3 + " ms)", refusal(() -> state.advanceEpoch(4, start3 - 1, 5)));
    assertEquals(3, state.currentEpoch(), "nothing moved");

    assertEquals(new AdvanceEpochResult(4, NOW + SKEW), state.advanceEpoch(4, NOW + SKEW, 5), "the skew is inclusive");
    assertTrue(refusal(() -> state.advanceEpoch(4, start3 - 1, 5)).contains("before the previous epoch's start ("
        + start3 + " ms)"), "re-setting an epoch is checked against the epoch before it");
    clock.set(NOW + SKEW + 5);
    assertEquals(new AdvanceEpochResult(5, NOW + SKEW + 5), state.advanceEpoch(5, 0, 5), "no start: this master's clock");
  }

  @Test
  void syncBlocksTakesTheCurrentEpochOrTheNextAndNeverGoesBack() throws Exception {
    ChainState state = open(storage);
    state.apply(commit(1, 5));
    byte[] tip = state.blocksRange(1, 1).get(0).blockHash();
    BlockData b2 = Commits.syncedBlock(2, 5, NOW - 50, tip);

    SyncBlocksResult above = state.syncBlocks(List.of(b2, Commits.syncedBlock(3, MAX, NOW - 40, b2.blockHash())));
    assertEquals("sync_blocks refused, nothing appended: block 3 has epoch 18446744073709551615, above the epoch this"
        + " master may accept: its current epoch 5 or the next, 6; a later epoch needs advance_epoch first",
        above.error());
    assertEquals(1, state.lastBlockNumber());
    SyncBlocksResult back = state.syncBlocks(List.of(Commits.syncedBlock(2, 4, NOW - 50, tip)));
    assertEquals("sync_blocks refused, nothing appended: block 2 has epoch 4, below block 1's epoch 5: epochs never go"
        + " back along a chain", back.error());
    SyncBlocksResult future = state.syncBlocks(List.of(b2, Commits.syncedBlock(3, 6, NOW + SKEW + 1, b2.blockHash())));
    assertTrue(future.error().startsWith("sync_blocks refused, nothing appended: block 3 enters epoch 6 would start at "
        + (NOW + SKEW + 1) + " ms, more than"), future.error());

    BlockData b3 = Commits.syncedBlock(3, 6, NOW - 40, b2.blockHash());
    assertEquals(new SyncBlocksResult(2, 3, ""), state.syncBlocks(List.of(b2, b3)), "the next epoch is entered");
    assertEquals(6, state.currentEpoch());
    assertEquals(NOW - 40, state.epochStartTimestampMs());
  }

  @Test
  void aPoisonedEpochIsSetBackByTheOperatorAndRecoveryReplaysIt() throws Exception {
    ChainState state = open(storage);
    for (long n = 1; n <= 3; n++) {
      state.apply(commit(n, 5));
    }
    long start5 = state.epochStartTimestampMs();
    state.advanceEpoch(MAX, NOW, 3); // what one liar achieved before this check existed
    IOException running = assertThrows(IOException.class, () -> EpochReset.setEpoch(storage, 5, OptionalLong.empty()));
    assertTrue(running.getMessage().contains("in use by another master"), running.getMessage());
    state.close();

    EpochReset.Change change = EpochReset.setEpoch(storage, 5, OptionalLong.empty());
    assertEquals("store " + storage + ": epoch 18446744073709551615 (start " + NOW + " ms) -> epoch 5 (start " + start5
        + " ms, boundary block 0); 1 entry of higher epochs dropped; last block 3", change.describe());
    ChainState repaired = open(storage);
    assertEquals(5, repaired.currentEpoch());
    assertEquals(start5, repaired.epochStartTimestampMs());
    assertTrue(refusal(() -> repaired.epochBoundaryData(MAX)).contains("is not known to this master"));
    // The chain goes on, across new segments (two blocks each), which must not bring the entry back.
    repaired.advanceEpoch(6, NOW, 3);
    for (long n = 4; n <= 9; n++) {
      repaired.apply(commit(n, 6));
    }
    repaired.close();
    ChainState reopened = open(storage);
    assertEquals(6, reopened.currentEpoch());
    assertEquals(9, reopened.lastBlockNumber());
    assertTrue(refusal(() -> reopened.epochBoundaryData(MAX)).contains("is not known to this master"));
    reopened.close();

    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> EpochReset.setEpoch(storage, 2, OptionalLong.empty()));
    assertTrue(unknown.getMessage().startsWith("epoch 2 has no start kept in"), unknown.getMessage());
    assertEquals(2, EpochReset.setEpoch(storage, 2, OptionalLong.of(NOW - 1)).newEpoch());
    assertEquals(2, open(storage).currentEpoch());
  }
}
