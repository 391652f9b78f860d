package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ExecutableBlock;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.protocol.TransactionExe;
import io.peerlink.discovery.core.protocol.UnknownFields;
import io.peerlink.node.TestNodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deterministic blocks (the commit's time and epoch), each epoch's start and committee kept
 * durably, request 12's waits, G3's ExecutableBlock, and blocks synced byte for byte.
 */
class ChainEpochsTest {
  @TempDir Path storage;
  @TempDir Path otherStorage;
  @TempDir Path files;

  static final long T0 = 1_700_000_000_000L;
  private final AtomicLong clock = new AtomicLong(42);
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  private ChainState open(Path path, ChainOptions options, CommitteeSource committee) throws IOException {
    return chains.track(ChainState.open(path, options, committee, clock::get));
  }


  /** A G1 commit: epoch and consensus time included. Epoch e runs over commits 10e+1..10e+10. */
  static CommittedEpochData commit(long n) {
    long epoch = (n - 1) / 10;
    byte[] digest = ByteBuffer.allocate(32).putLong(n).array();
    return new CommittedEpochData(List.of(new CommittedBlock(epoch, n, List.of(new TransactionExe(digest, 0)))), n,
        (int) n, epoch, T0 + 1000 * n);
  }

  private static byte[] range(ChainState s, long from, long to) throws Exception {
    return Response.BlocksRange.of(s.blocksRange(from, to)).encode();
  }

  @Test
  void twoMastersFedTheSameCommitsAtDifferentTimesServeTheSameBytes() throws Exception {
    ChainState a = open(storage, TestNodes.chainOptions(), CommitteeSource.NONE);
    for (long n = 1; n <= 25; n++) {
      a.apply(commit(n));
    }
    clock.set(999_999_999);
    ChainState b = open(otherStorage, TestNodes.chainOptions(), CommitteeSource.NONE);
    for (long n = 25; n >= 1; n--) { // backwards: all but commit 1 wait behind the gap first
      b.apply(commit(n));
    }
    assertEquals(25, b.lastBlockNumber());
    assertArrayEquals(range(a, 1, 25), range(b, 1, 25));
    BlockData eleventh = a.blocksRange(11, 11).get(0);
    assertEquals(1, eleventh.epoch(), "the commit's epoch");
    assertEquals(T0 + 11_000, eleventh.timestampMs(), "the commit's time, not the clock");
    assertEquals(2, a.currentEpoch());
    assertEquals(T0 + 21_000, a.epochStartTimestampMs(), "an epoch begun by a commit starts at its time");
    assertEquals(T0 + 11_000, a.epochStartTimestampMs(1), "request 7 for the epoch asked");
    assertEquals(T0 + 21_000, a.epochStartTimestampMs(0), "an empty request 7 (G1) means the current epoch");
    assertTrue(assertThrows(RefusedRequestException.class, () -> a.epochStartTimestampMs(7)).getMessage()
        .contains("epoch 7 is not known to this master (it knows epochs 0..2)"));
  }

  @Test
  void aCommitWithoutTimeOrEpochFallsBackToTheClockAndItsBlocks() throws Exception {
    ChainState a = open(storage, TestNodes.chainOptions(), CommitteeSource.NONE);
    a.apply(new CommittedEpochData(List.of(new CommittedBlock(3, 1, List.of())), 1, 0));
    BlockData block = a.blocksRange(1, 1).get(0);
    assertEquals(3, block.epoch());
    assertEquals(42, block.timestampMs());
  }

  @Test
  void eachEpochKeepsTheCommitteeItBeganWithAcrossARestart() throws Exception {
    Path file = CommitteeFiles.write(files.resolve("committee.json"), 3, "a", false);
    ChainState s = open(storage, TestNodes.chainOptions(), new CommitteeFile(file));
    for (long n = 1; n <= 10; n++) {
      s.apply(commit(n));
    }
    CommitteeFiles.write(file, 4, "b", true); // a new committee: for the next epoch only
    assertEquals("a-bls-0", s.epochBoundaryData(0).validators().get(0).authorityKey());
    for (long n = 11; n <= 15; n++) {
      s.apply(commit(n));
    }
    Response.EpochBoundaryData one = s.epochBoundaryData(1);
    assertEquals(List.of(1L, T0 + 11_000, 10L, 4L), List.of(one.epoch(), one.epochStartTimestampMs(), one.boundaryBlock(),
        (long) one.validators().size()));
    assertEquals("b-bls-0", s.validatorsAtBlock(10).validators().get(0).authorityKey(), "the boundary block: the new epoch");
    assertEquals("a-bls-0", s.validatorsAtBlock(9).validators().get(0).authorityKey());
    assertEquals("a-bls-0", s.validatorsAtBlock(0).validators().get(0).authorityKey(), "0 is genesis");
    assertEquals(4, s.activeValidators().validators().size());
    List<byte[]> before = answers(s);
    s.close();

    CommitteeFiles.write(file, 5, "c", false);
    ChainState again = open(storage, TestNodes.chainOptions(), new CommitteeFile(file));
    List<byte[]> after = answers(again);
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i), "answer " + i + " after the restart");
    }
  }

  private static List<byte[]> answers(ChainState s) throws Exception {
    return List.of(s.epochBoundaryData(0).encode(), s.epochBoundaryData(1).encode(), s.validatorsAtBlock(0).encode(),
        s.validatorsAtBlock(10).encode(), s.activeValidators().encode(),
        new Response.EpochStartTimestamp(s.epochStartTimestampMs(1)).encode());
  }

  @Test
  void withoutACommitteeFileTheCommitteeCallsNameTheKey() throws Exception {
    ChainState s = open(storage, TestNodes.chainOptions(), CommitteeSource.NONE);
    for (ThrowingCall call : List.<ThrowingCall>of(() -> s.epochBoundaryData(0), () -> s.validatorsAtBlock(0),
        s::activeValidators)) {
      assertTrue(assertThrows(RefusedRequestException.class, call::run).getMessage().contains("committee_path"));
    }
  }

  @FunctionalInterface
  interface ThrowingCall {
    Object run() throws Exception;
  }

  @Test
  void theEpochHistoryOutlivesRetention() throws Exception {
    Path file = CommitteeFiles.write(files.resolve("committee.json"), 2, "r", false);
    ChainOptions small = TestNodes.chainOptions(5, 3, 1024, 1024, 8 << 20);
    ChainState s = open(storage, small, new CommitteeFile(file));
    for (long n = 1; n <= 45; n++) {
      s.apply(commit(n));
    }
    assertTrue(s.firstRetainedBlock() > 30, "old segments were deleted: first block " + s.firstRetainedBlock());
    s.close();
    ChainState again = open(storage, small, new CommitteeFile(file));
    for (long epoch = 0; epoch <= 4; epoch++) {
      assertEquals(epoch == 0 ? 0 : 10 * epoch, again.epochBoundaryData(epoch).boundaryBlock(), "epoch " + epoch);
      assertEquals(2, again.epochBoundaryData(epoch).validators().size());
    }
  }

  @Test
  void waitsCompleteWhenTheBlockIsHeldAndTimedOutOnesAreForgotten() throws Exception {
    ChainState s = open(storage, TestNodes.chainOptions(), CommitteeSource.NONE);
    CompletableFuture<Long> three = s.blockHeld(3);
    s.apply(commit(1));
    s.apply(commit(2));
    assertFalse(three.isDone());
    s.apply(commit(3));
    assertEquals(3L, three.getNow(-1L));
    assertEquals(3L, s.blockHeld(2).getNow(-1L), "held already: at once");
    CompletableFuture<Long> later = s.blockHeld(100);
    assertEquals(1, s.waiters.size());
    later.completeExceptionally(new TimeoutException());
    assertEquals(0, s.waiters.size(), "a timed-out wait is forgotten");
  }

  @Test
  void anExecutableBlockBecomesTheBlockOfItsGlobalExecIndex() throws Exception {
    ChainState s = open(storage, TestNodes.chainOptions(), CommitteeSource.NONE);
    s.apply(new ExecutableBlock(List.of(new TransactionExe(new byte[] {1}, 0)), 1, 1, 2, T0, 0, null, 77, null));
    BlockData block = s.blocksRange(1, 1).get(0);
    assertEquals(List.of(1L, 2L, T0), List.of(block.blockNumber(), block.epoch(), block.timestampMs()));
    assertEquals(2, s.currentEpoch());
  }

  @Test
  void syncedBlocksAreKeptAndServedByteForByte() throws Exception {
    ChainState s = open(storage, TestNodes.chainOptions(), CommitteeSource.NONE);
    BlockData foreign = new BlockData(1, new byte[32], 0, T0, null, null, null, null, 0, 0, null,
        "go-master block".getBytes(), "backup".getBytes(), UnknownFields.of(new byte[] {(byte) 0xc2, 0x02, 0x01, 0x07}));
    byte[] wire = BlockData.decode(foreign.encode()).encode();
    assertEquals(1, s.syncBlocks(List.of(BlockData.decode(wire))).syncedCount());
    BlockData served = s.blocksRange(1, 1).get(0);
    assertArrayEquals(wire, served.encode());
    assertArrayEquals("backup".getBytes(), served.backupData());
    assertNotEquals(0, served.unknownFields().size());
  }
}
