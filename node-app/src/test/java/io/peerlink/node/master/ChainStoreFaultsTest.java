package io.peerlink.node.master;

import static io.peerlink.node.master.Commits.commit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fails: a real full tmpfs, a real read-only remount, a directory that refuses to
 * delete during retention. The write waits and goes through once the disk is back; a durable
 * block is reported applied; the reason is there to read meanwhile.
 */
class ChainStoreFaultsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @TempDir Path parent;

  private static StoredBlock big(long number) {
    byte[] data = new byte[16 * 1024];
    Arrays.fill(data, (byte) number);
    return new StoredBlock(number, data);
  }

  static void await(String what, BooleanSupplier condition) {
    Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
  }

  /** Writes zeros into {@code file} until the file system is full. */
  private static void fill(Path file) throws IOException {
    byte[] chunk = new byte[4096];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < 1_000_000; i++) {
        out.write(chunk);
        out.flush();
      }
    } catch (IOException e) {
      assertTrue(String.valueOf(e.getMessage()).contains("No space left"), "filled up: " + e);
      return;
    }
    throw new AssertionError("4 GB written and the scratch file system is not full");
  }

  @Test
  void aFullDiskStallsTheWriteWhichGoesThroughOnceSpaceReturns() throws Exception {
    try (ScratchMount mount = ScratchMount.tmpfs(parent, 512)) {
      Path dir = mount.path.resolve("chain");
      try (ChainStore store = ChainStore.open(dir, 1000, 1000)) {
        store.append(EpochMark.INITIAL, List.of(big(1), big(2)));
        Path filler = mount.path.resolve("filler");
        fill(filler);
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
          try {
            store.append(EpochMark.INITIAL, List.of(big(3)));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        await("the write is stuck with a reason", () -> store.stuckReason().isPresent());
        String reason = store.stuckReason().orElseThrow();
        assertTrue(reason.contains("No space left on device") && reason.contains("from block 3"), reason);
        assertFalse(write.isDone(), "the write waits for space rather than failing");
        assertEquals(2, store.lastBlock(), "nothing half-written is visible");
        Files.delete(filler);
        write.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Optional.empty(), store.stuckReason());
        assertEquals(3, store.lastBlock());
      }
      try (ChainStore store = ChainStore.open(dir, 1000, 1000)) {
        assertFalse(store.recovery().repaired(), store.recovery().detail());
        assertArrayEquals(big(3).data(), store.read(3, 3, Long.MAX_VALUE).get(0));
      }
    }
  }

  /** Applies a commit on another thread; the future completes when apply returns. */
  private static CompletableFuture<IntakeOutcome> applyAsync(ChainState state, long index) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return state.apply(commit(index, 1));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void aDirectoryRefusingTheNextSegmentStallsTheCommitUntilItAcceptsItAgain() throws Exception {
    Path storage = parent.resolve("storage");
    Path chain = storage.resolve(ChainState.CHAIN_DIRECTORY);
    try (ChainState state = ChainState.open(storage, new ChainOptions(1000, 5, 16, 1000, 1 << 20))) {
      for (long n = 1; n <= 5; n++) {
        state.apply(commit(n, 1));
      }
      CompletableFuture<IntakeOutcome> applied;
      ScratchMount.freezeEntries(chain, true);
      try {
        applied = applyAsync(state, 6); // needs segment 2, which the directory refuses
        await("the commit is stuck with a reason", () -> state.stuckReason().isPresent());
        String reason = state.stuckReason().orElseThrow();
        assertTrue(reason.contains("00000000000000000002.seg") && reason.contains("from block 6"), reason);
        assertEquals(5, state.lastBlockNumber(), "status answers meanwhile, without the stuck block");
        assertFalse(applied.isDone(), "the commit waits rather than failing");
      } finally {
        ScratchMount.freezeEntries(chain, false);
      }
      assertEquals(IntakeOutcome.APPLIED, applied.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(6, state.lastBlockNumber());
      assertEquals(Optional.empty(), state.stuckReason());
      assertEquals(IntakeOutcome.REPEAT, state.apply(commit(6, 1)), "a re-send is a repeat, not a refusal");
      assertEquals(IntakeOutcome.APPLIED, state.apply(commit(7, 1)));
    }
  }

  @Test
  void closingWhileACommitIsStuckEndsTheWaitAndWritesNothing() throws Exception {
    Path storage = parent.resolve("storage");
    Path chain = storage.resolve(ChainState.CHAIN_DIRECTORY);
    ChainState state = ChainState.open(storage, new ChainOptions(1000, 1, 16, 1000, 1 << 20));
    state.apply(commit(1, 1));
    ScratchMount.freezeEntries(chain, true);
    try {
      CompletableFuture<IntakeOutcome> applied = applyAsync(state, 2);
      await("the commit is stuck", () -> state.stuckReason().isPresent());
      CompletableFuture.runAsync(() -> {
        try {
          state.close();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> applied.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
      assertTrue(e.getCause().getMessage().contains("closed while a write waited to be retried"), e.getCause().getMessage());
    } finally {
      ScratchMount.freezeEntries(chain, false);
    }
    try (ChainState reopened = ChainState.open(storage, ChainOptions.defaults())) {
      assertEquals(1, reopened.lastBlockNumber());
    }
  }

  @Test
  void aRetentionThatCannotDeleteStillReportsTheDurableBlockApplied() throws Exception {
    Path storage = parent.resolve("storage");
    Path chain = storage.resolve(ChainState.CHAIN_DIRECTORY);
    try (ChainState state = ChainState.open(storage, new ChainOptions(3, 5, 16, 1000, 1 << 20))) {
      for (long n = 1; n <= 7; n++) {
        assertEquals(IntakeOutcome.APPLIED, state.apply(commit(n, 1)));
      }
      ScratchMount.freezeEntries(chain, true);
      try {
        // Block 8 lets retention drop segment 1 (blocks 1-5), which the directory now refuses.
        assertEquals(IntakeOutcome.APPLIED, state.apply(commit(8, 1)));
        assertEquals(8, state.lastBlockNumber());
        assertEquals(1, state.firstRetainedBlock(), "retention waits");
        assertEquals(Optional.empty(), state.stuckReason(), "the block went through: nothing is stuck");
        assertEquals(IntakeOutcome.REPEAT, state.apply(commit(8, 1)), "a re-send is a repeat, not a refusal");
      } finally {
        ScratchMount.freezeEntries(chain, false);
      }
      assertEquals(IntakeOutcome.APPLIED, state.apply(commit(9, 1)));
      assertEquals(6, state.firstRetainedBlock(), "retention caught up with the next write");
    }
    try (ChainState reopened = ChainState.open(storage, new ChainOptions(3, 5, 16, 1000, 1 << 20))) {
      assertEquals(9, reopened.lastBlockNumber());
    }
  }

  @Test
  void aStuckWriteIsLoggedAtOnceThenAtMostOncePerInterval() {
    long[] now = {0};
    WriteStall stall = new WriteStall(() -> now[0], TimeUnit.SECONDS.toNanos(30));
    assertTrue(stall.failed("disk full"), "the first failure is logged");
    int logged = 0;
    for (int i = 0; i < 1000; i++) {
      now[0] += TimeUnit.MILLISECONDS.toNanos(100); // 100 s of retries, one every 100 ms
      logged += stall.failed("disk full") ? 1 : 0;
    }
    assertEquals(3, logged, "100 s at one line per 30 s");
    assertEquals(Optional.of("disk full"), stall.reason());
    stall.cleared();
    assertEquals(Optional.empty(), stall.reason());
    assertTrue(stall.failed("disk full again"), "a new stall is logged at once");
  }
}
