package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code peerlink store rollback} on real stores: mid-record, at a record boundary, across
 * segments and an epoch change, the values it refuses, a running master, and a crash after each
 * of its steps.
 *
 * <p>The fixture, four blocks per segment, one record per sync_blocks batch:
 * <pre>
 * segment 1: [1..3 epoch 1] [4..6]
 * segment 2: [7..9 + every entry] [10 epoch 1, 11..12 epoch 2 + entry 2] [advance_epoch 3 after 12]
 * segment 3: [13..15 epoch 3 + every entry]
 * </pre>
 */
class ChainRollbackTest {
  @TempDir Path storage;

  private static final long NOW = 1_700_000_000_000L;
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  private ChainState open(Path path, long retention) throws Exception {
    ChainOptions options = new ChainOptions(retention, 4, 16, 1000, 1 << 20, Duration.ofMinutes(10));
    return chains.track(ChainState.open(path, options, () -> NOW));
  }

  private static long time(long n) {
    return NOW - 100_000 + n;
  }

  /** Syncs blocks {@code from..to}, block n of {@code epochOf[n]}, as one batch (one record). */
  private static void sync(ChainState state, long from, long to, long... epochs) throws Exception {
    byte[] parent = from == 1 ? new byte[32] : state.blocksRange(from - 1, from - 1).get(0).blockHash();
    List<BlockData> batch = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      BlockData block = Commits.syncedBlock(n, epochs[(int) (n - from)], time(n), parent);
      batch.add(block);
      parent = block.blockHash();
    }
    SyncBlocksResult result = state.syncBlocks(batch);
    assertEquals("", result.error());
    assertEquals(to, result.lastSyncedBlock());
  }

  /** The fixture (see the class comment), closed. */
  private void writeFixture(long retention) throws Exception {
    ChainState state = open(storage, retention);
    sync(state, 1, 3, 1, 1, 1);
    sync(state, 4, 6, 1, 1, 1);
    sync(state, 7, 9, 1, 1, 1);
    sync(state, 10, 12, 1, 2, 2);
    state.advanceEpoch(3, time(13), 12);
    sync(state, 13, 15, 3, 3, 3);
    assertEquals(3, state.currentEpoch());
    state.close();
  }

  private Path chainDir() {
    return storage.resolve(ChainState.CHAIN_DIRECTORY);
  }

  /** Every stored block's bytes, as the store serves them. */
  private List<byte[]> raw() throws Exception {
    try (ChainStore store = ChainStore.open(chainDir(), 0, 4)) {
      return store.lastBlock() == 0 ? List.of() : store.read(store.firstBlock(), store.lastBlock(), Long.MAX_VALUE);
    }
  }

  private TreeMap<Long, byte[]> entries() throws Exception {
    try (ChainStore store = ChainStore.open(chainDir(), 0, 4)) {
      return store.epochEntries();
    }
  }

  private Map<String, byte[]> files() throws Exception {
    TreeMap<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> listing = Files.list(chainDir())) {
      for (Path p : listing.filter(p -> !p.getFileName().toString().equals(LockFile.NAME)).toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  private static void assertPrefix(List<byte[]> before, List<byte[]> after, long toBlock) {
    assertEquals(toBlock, after.size());
    for (int i = 0; i < toBlock; i++) {
      assertArrayEquals(before.get(i), after.get(i), "block " + (i + 1) + " is served as before");
    }
  }

  /** After a rollback to {@code toBlock} in {@code epoch}: new blocks go on from it, and survive a restart. */
  private void assertGoesOn(long toBlock, long epoch) throws Exception {
    ChainState state = open(storage, 0);
    assertEquals(toBlock, state.lastBlockNumber());
    assertEquals(epoch, state.currentEpoch());
    long[] epochs = {epoch, epoch, epoch, epoch, epoch, epoch};
    sync(state, toBlock + 1, toBlock + 6, epochs); // a new chain after block N, across a new segment
    state.close();
    ChainState reopened = open(storage, 0);
    assertEquals(toBlock + 6, reopened.lastBlockNumber());
    assertEquals(epoch, reopened.currentEpoch());
    assertEquals(time(toBlock + 6), reopened.blocksRange(toBlock + 6, toBlock + 6).get(0).timestampMs());
    reopened.close();
  }

  @Test
  void midRecordKeepsItsBlocksUpToNAndGoesBackAcrossTheEpochChange() throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    TreeMap<Long, byte[]> entriesBefore = entries();
    assertEquals(List.of(0L, 1L, 2L, 3L), List.copyOf(entriesBefore.keySet()));

    ChainRollback.Change change = ChainRollback.rollback(storage, 10, false);
    assertEquals("store " + storage + ": rolled back from block 15 (hash " + hash(15, 3) + ") to block 10 (hash "
        + hash(10, 1) + "); 5 blocks removed; epoch 3 -> 1; epoch entries 4 -> 2", change.describe());
    assertPrefix(before, raw(), 10);
    assertEquals(List.of(0L, 1L), List.copyOf(entries().keySet()), "the entries of epochs 2 and 3 are gone");
    assertArrayEquals(entriesBefore.get(1L), entries().get(1L));
    assertEquals(List.of(Segment.fileName(1), Segment.fileName(2)), segmentNames(), "segment 3 is deleted");
    assertFalse(Files.exists(chainDir().resolve(RollbackIntent.NAME)));
    assertGoesOn(10, 1);
  }

  @Test
  void midRecordAfterTheEpochChangeKeepsTheEpochItsBlocksBegan() throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    TreeMap<Long, byte[]> entriesBefore = entries();
    assertEquals(3, ChainRollback.rollback(storage, 11, false).oldEpoch());
    assertPrefix(before, raw(), 11);
    ChainState state = open(storage, 0);
    assertEquals(2, state.currentEpoch());
    assertEquals(time(11), state.epochStartTimestampMs(), "epoch 2 began at block 11, after block 10");
    state.close();
    assertEquals(List.of(0L, 1L, 2L), List.copyOf(entries().keySet()));
    assertArrayEquals(entriesBefore.get(2L), entries().get(2L), "epoch 2's entry is the one its sync wrote");
    assertEquals(10, EpochBoundaryData.decodeMessage(entries().get(2L)).boundaryBlock());
    assertGoesOn(11, 2);
  }

  @Test
  void atARecordBoundaryAcrossSegmentsNothingIsRewritten() throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    Map<String, byte[]> filesBefore = files();
    ChainRollback.Change change = ChainRollback.rollback(storage, 6, false);
    assertEquals(9, change.removedBlocks());
    assertEquals(1, change.newEpoch());
    assertPrefix(before, raw(), 6);
    assertEquals(List.of(Segment.fileName(1)), segmentNames(), "segments 2 and 3 are deleted");
    byte[] first = files().get(Segment.fileName(1));
    assertArrayEquals(filesBefore.get(Segment.fileName(1)), first, "segment 1 ended at block 6: untouched");
    assertGoesOn(6, 1);
  }

  @Test
  void aCountZeroRecordAfterBlockNGoesWithTheBlocksAfterIt() throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    ChainRollback.Change change = ChainRollback.rollback(storage, 12, false);
    assertEquals(2, change.newEpoch(), "advance_epoch 3 was written after block 12's record: gone");
    assertPrefix(before, raw(), 12);
    assertEquals(List.of(0L, 1L, 2L), List.copyOf(entries().keySet()));
    assertGoesOn(12, 2);
  }

  @Test
  void theLastBlockIsNoChangeAndADryRunChangesNothing() throws Exception {
    writeFixture(0);
    Map<String, byte[]> filesBefore = files();
    ChainRollback.Change same = ChainRollback.rollback(storage, 15, false);
    assertEquals("store " + storage + ": block 15 (hash " + hash(15, 3) + ") is already the last block: nothing to"
        + " roll back", same.describe());
    ChainRollback.Change dry = ChainRollback.rollback(storage, 4, true);
    assertTrue(dry.describe().contains("would roll back (nothing changed) from block 15"), dry.describe());
    assertEquals(11, dry.removedBlocks());
    assertEquals(filesBefore.keySet(), files().keySet());
    filesBefore.forEach((name, bytes) -> assertArrayEquals(bytes, filesBeforeOr(name), name));
  }

  private byte[] filesBeforeOr(String name) {
    try {
      return Files.readAllBytes(chainDir().resolve(name));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void toBlockZeroEmptiesAChainThatStartsAtBlockOne() throws Exception {
    writeFixture(0);
    ChainRollback.Change change = ChainRollback.rollback(storage, 0, false);
    assertEquals(15, change.removedBlocks());
    assertEquals(0, change.newEpoch());
    assertEquals(List.of(), raw());
    assertEquals(Map.of(), entries());
    ChainState state = open(storage, 0);
    assertEquals(0, state.lastBlockNumber());
    sync(state, 1, 2, 1, 1);
    state.close();
    assertEquals(2, open(storage, 0).lastBlockNumber());
  }

  @Test
  void refusesBlocksItDoesNotHoldNamingThem() throws Exception {
    writeFixture(0);
    IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
        () -> ChainRollback.rollback(storage, 16, false));
    assertEquals("block 16 is above the store's last block 15 (it holds blocks 1..15, base block 0): nothing to roll"
        + " back to", above.getMessage());
    IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
        () -> ChainRollback.rollback(storage, -1L, false));
    assertTrue(huge.getMessage().startsWith("block 18446744073709551615 is above"), huge.getMessage());
    IOException none = assertThrows(IOException.class,
        () -> ChainRollback.rollback(storage.resolve("nothing"), 1, false));
    assertTrue(none.getMessage().contains("holds no chain store"), none.getMessage());
  }

  @Test
  void refusesBelowThePrunedBase() throws Exception {
    writeFixture(5); // keeps the newest 5 blocks: whole segments below 11 go
    ChainState state = open(storage, 5);
    long first = state.firstRetainedBlock();
    state.close();
    assertTrue(first > 1, "pruned: " + first);
    for (long bad : new long[] {0, first - 1}) {
      IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
          () -> ChainRollback.rollback(storage, bad, false));
      assertTrue(below.getMessage().startsWith("block " + bad + " is below the store's base block " + (first - 1)
          + " (it holds blocks " + first + "..15;"), below.getMessage());
    }
    List<byte[]> before = raw();
    ChainRollback.rollback(storage, first, false);
    assertPrefix(before, raw(), 1);
  }

  @Test
  void isRefusedWhileAMasterRunsOnTheStore() throws Exception {
    writeFixture(0);
    ChainState running = open(storage, 0);
    IOException refused = assertThrows(IOException.class, () -> ChainRollback.rollback(storage, 6, false));
    assertTrue(refused.getMessage().contains("in use by another master"), refused.getMessage());
    assertEquals(15, running.lastBlockNumber());
    running.close();
    assertEquals(15, raw().size(), "nothing changed");
  }

  /** A crash after each step: the next open finishes the rollback (the store never refuses to open). */
  @ParameterizedTest
  @EnumSource(RollbackIntent.Step.class)
  void aCrashAfterAnyStepLeavesTheRolledBackStoreOnTheNextOpen(RollbackIntent.Step step) throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    Crash crash = assertThrows(Crash.class, () -> ChainRollback.rollback(storage, 11, false, at -> {
      if (at == step) {
        if (at == RollbackIntent.Step.CUT) {
          // The replacement record's write torn midway, or pages of the old bytes: more than it after the cut.
          byte[] torn = new byte[5000];
          Arrays.fill(torn, (byte) 0x5A);
          Files.write(chainDir().resolve(Segment.fileName(2)), torn, StandardOpenOption.APPEND);
        }
        throw new Crash();
      }
    }));
    assertTrue(crash.getMessage().contains("crash"));
    ChainState state = open(storage, 0); // the crashed command's lock is gone with it; this open finishes
    assertEquals(11, state.lastBlockNumber());
    assertEquals(2, state.currentEpoch());
    state.close();
    assertPrefix(before, raw(), 11);
    assertEquals(List.of(0L, 1L, 2L), List.copyOf(entries().keySet()));
    assertFalse(Files.exists(chainDir().resolve(RollbackIntent.NAME)));
    assertGoesOn(11, 2);
  }

  /** As above with a real SIGKILL of a child JVM paused after the step: no close, no finally. */
  @ParameterizedTest
  @EnumSource(value = RollbackIntent.Step.class, names = {"RECORDED", "SEGMENTS_DELETED", "CUT"})
  void aKilledRollbackIsFinishedByTheNextOpen(RollbackIntent.Step step) throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), RollbackProcess.class.getName(), storage.toString(), "11",
        step.name()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      assertEquals("at " + step, line.get(60, TimeUnit.SECONDS));
      IOException locked = assertThrows(IOException.class, () -> open(storage, 0));
      assertTrue(locked.getMessage().contains("in use by another master"), locked.getMessage());
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    }
    assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");
    ChainState state = open(storage, 0);
    assertEquals(11, state.lastBlockNumber());
    assertEquals(2, state.currentEpoch());
    state.close();
    assertPrefix(before, raw(), 11);
    assertFalse(Files.exists(chainDir().resolve(RollbackIntent.NAME)));
  }

  @Test
  void aCrashBeforeTheRollbackRecordIsInPlaceLeavesTheOldStore() throws Exception {
    writeFixture(0);
    List<byte[]> before = raw();
    // What a crash while the rollback record was written leaves: its temporary file, never renamed.
    Files.write(chainDir().resolve("ROLLBACK.tmp"), new byte[] {'P', 'L', 'R', 'O', 'L', 'L'});
    ChainState state = open(storage, 0);
    assertEquals(15, state.lastBlockNumber());
    assertEquals(3, state.currentEpoch());
    state.close();
    List<byte[]> after = raw();
    assertEquals(15, after.size());
    assertPrefix(before, after, 15);
    // A rollback after it writes over the leftover.
    ChainRollback.rollback(storage, 11, false);
    assertPrefix(before, raw(), 11);
  }

  @Test
  void aDamagedRollbackRecordRefusesToOpen() throws Exception {
    writeFixture(0);
    assertThrows(Crash.class, () -> ChainRollback.rollback(storage, 11, false, at -> {
      throw new Crash();
    }));
    ChainLogs.flipByte(chainDir().resolve(RollbackIntent.NAME), 20);
    IOException e = assertThrows(IOException.class, () -> open(storage, 0));
    assertTrue(e.getMessage().contains("rollback record CRC32C mismatch"), e.getMessage());
  }

  private List<String> segmentNames() throws Exception {
    return ChainLogs.segmentFiles(chainDir()).stream().map(p -> p.getFileName().toString()).toList();
  }

  private static String hash(long n, long epoch) {
    return HexFormat.of().formatHex(Commits.syncedBlock(n, epoch, 0, null).blockHash());
  }

  /** What a test throws where the process would die. */
  private static final class Crash extends RuntimeException {
    Crash() {
      super("simulated crash");
    }
  }
}
