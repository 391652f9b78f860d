package io.peerlink.node.master;

import static io.peerlink.node.master.Commits.commit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ChainStateTest {
  @TempDir Path storage;
  @TempDir Path otherStorage;

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  private ChainState open(Path path, ChainOptions options) throws IOException {
    return chains.track(ChainState.open(path, options, clock::get));
  }

  private ChainState open() throws IOException {
    return open(storage, ChainOptions.defaults());
  }


  private static void applyAll(ChainState state, long from, long to, long epoch) throws IOException {
    for (long n = from; n <= to; n++) {
      assertEquals(IntakeOutcome.APPLIED, state.apply(commit(n, epoch)), "commit " + n);
    }
  }

  /** The hash as STORAGE.md specifies it, computed independently of BlockHashes. */
  private static byte[] expectedHash(byte[] parent, long number, long epoch, CommittedEpochData commit) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(ByteBuffer.allocate(4 + parent.length + 16).putInt(parent.length).put(parent)
        .putLong(number).putLong(epoch).array());
    return sha.digest(commit.encode());
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(storage.resolve(ChainState.CHAIN_DIRECTORY))) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  // ---- intake ordering ----

  @Test
  void aGapWaitsAndTheLastBlockJumpsWhenItCloses() throws Exception {
    ChainState state = open();
    applyAll(state, 1, 2, 1);
    assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(5, 1)));
    assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(4, 1)));
    assertEquals(2, state.lastBlockNumber(), "the gap at 3 holds the last block");
    assertEquals(2, state.pendingCommits());
    assertEquals(IntakeOutcome.APPLIED, state.apply(commit(3, 1)));
    assertEquals(5, state.lastBlockNumber());
    assertEquals(0, state.pendingCommits());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), state.blocksRange(1, 10).stream().map(BlockData::blockNumber).toList());
  }

  @Test
  void repeatsAreIgnored() throws Exception {
    ChainState state = open();
    applyAll(state, 1, 3, 1);
    List<BlockData> before = state.blocksRange(1, 3);
    assertEquals(IntakeOutcome.REPEAT, state.apply(commit(2, 1)));
    assertEquals(IntakeOutcome.REPEAT, state.apply(commit(3, 7)), "a repeat is ignored even with other content");
    assertEquals(IntakeOutcome.REPEAT, state.apply(commit(0, 1)), "numbering starts at 1");
    assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(6, 1)));
    assertEquals(IntakeOutcome.REPEAT, state.apply(commit(6, 1)), "already buffered");
    assertEquals(3, state.lastBlockNumber());
    assertEquals(1, state.currentEpoch());
    assertEquals(before, state.blocksRange(1, 3));
    assertEquals(1, state.pendingCommits());
  }

  @Test
  void aFullGapBufferRefusesFurtherCommits() throws IOException {
    ChainState state = open(storage, new ChainOptions(1000, 100, 4, 100, 1 << 20));
    applyAll(state, 1, 1, 1);
    for (long n = 3; n <= 6; n++) {
      assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(n, 1)));
    }
    assertEquals(IntakeOutcome.REFUSED, state.apply(commit(7, 1)));
    assertEquals(IntakeOutcome.REFUSED, state.apply(commit(100, 1)));
    assertEquals(4, state.pendingCommits(), "refused commits are not held");
    assertEquals(1, state.lastBlockNumber());
    assertEquals(IntakeOutcome.APPLIED, state.apply(commit(2, 1)));
    assertEquals(6, state.lastBlockNumber(), "the buffered ones were applied, the refused 7 was not");
    assertEquals(IntakeOutcome.APPLIED, state.apply(commit(7, 1)), "a refused commit can be sent again");
  }

  // ---- blocks and epochs ----

  @Test
  void eachCommitBecomesABlockThatChainsToItsParent() throws Exception {
    ChainState state = open();
    List<CommittedEpochData> commits = List.of(commit(1, 1), commit(2, 1), commit(3, 2), commit(4, 2));
    long[] appliedAt = new long[5];
    for (CommittedEpochData c : commits) {
      clock.addAndGet(1000);
      appliedAt[(int) c.globalExecIndex()] = clock.get();
      state.apply(c);
    }
    List<BlockData> blocks = state.blocksRange(1, 4);
    assertEquals(4, blocks.size());
    byte[] parent = new byte[32];
    for (int i = 0; i < 4; i++) {
      BlockData b = blocks.get(i);
      long number = i + 1;
      assertEquals(number, b.blockNumber());
      assertEquals(number <= 2 ? 1 : 2, b.epoch());
      assertEquals(appliedAt[(int) number], b.timestampMs());
      assertArrayEquals(parent, b.parentHash(), "block " + number + " names its parent");
      assertArrayEquals(expectedHash(parent, number, b.epoch(), commits.get(i)), b.blockHash());
      parent = b.blockHash();
    }
    assertEquals(2, state.currentEpoch());
    assertEquals(appliedAt[3], state.epochStartTimestampMs(), "epoch 2 started when its first commit was applied");
  }

  @Test
  void blocksRangeAnswersWhatExistsAndRefusesAReversedRange() throws Exception {
    ChainState state = open(storage, new ChainOptions(1000, 100, 16, 3, 1 << 20));
    applyAll(state, 1, 5, 1);
    assertEquals(List.of(1L, 2L, 3L), numbers(state.blocksRange(0, 3)), "block 0 never exists");
    assertEquals(List.of(4L, 5L), numbers(state.blocksRange(4, 100)));
    assertEquals(List.of(1L, 2L, 3L), numbers(state.blocksRange(1, 5)), "capped at 3 blocks");
    assertEquals(List.of(5L), numbers(state.blocksRange(5, -1)), "to_block = 2^64-1 means everything");
    assertEquals(List.of(), state.blocksRange(6, 10));
    assertEquals(List.of(), state.blocksRange(-5, -1));
    RefusedRequestException e = assertThrows(RefusedRequestException.class, () -> state.blocksRange(4, 2));
    assertEquals("get_blocks_range: from_block 4 is after to_block 2", e.getMessage());
  }

  @Test
  void theEpochMovesForwardOnlyAndAdvanceEpochPersists() throws Exception {
    ChainState state = open();
    applyAll(state, 1, 2, 3);
    assertEquals(IntakeOutcome.APPLIED, state.apply(commit(3, 2)));
    assertEquals(3, state.currentEpoch(), "a late commit of an older epoch does not move the epoch back");
    assertEquals(2, state.blocksRange(3, 3).get(0).epoch(), "but its block keeps its own epoch");

    RefusedRequestException e = assertThrows(RefusedRequestException.class, () -> state.advanceEpoch(2, 5, 3));
    assertEquals("advance_epoch refused: new_epoch 2 is lower than the current epoch 3", e.getMessage());
    assertEquals(new AdvanceEpochResult(4, 1_700_000_001_234L), state.advanceEpoch(4, 1_700_000_001_234L, 3));
    assertEquals(4, state.currentEpoch());
    assertEquals(1_700_000_001_234L, state.epochStartTimestampMs());
    assertEquals(new AdvanceEpochResult(4, 1_700_000_001_300L), state.advanceEpoch(4, 1_700_000_001_300L, 3), "the same epoch re-sets its start");
    state.close();

    ChainState reopened = open();
    assertEquals(4, reopened.currentEpoch());
    assertEquals(1_700_000_001_300L, reopened.epochStartTimestampMs());
    assertEquals(3, reopened.lastBlockNumber());
    // A commit of the advanced epoch does not restart it.
    applyAll(reopened, 4, 4, 4);
    assertEquals(1_700_000_001_300L, reopened.epochStartTimestampMs());
  }

  // ---- sync_blocks ----

  /** Blocks 1..n as another master made them from the same commits (epoch 1 up to 5, then 2). */
  private List<BlockData> peerBlocks(int n) throws Exception {
    try (ChainState peer = ChainState.open(otherStorage, ChainOptions.defaults(), () -> 1_700_000_042_000L)) {
      for (long i = 1; i <= n; i++) {
        peer.apply(commit(i, i <= 5 ? 1 : 2));
      }
      return peer.blocksRange(1, n);
    }
  }

  @Test
  void syncedBlocksContinueTheChainAndMoveTheEpoch() throws Exception {
    List<BlockData> peer = peerBlocks(10);
    ChainState state = open();
    applyAll(state, 1, 3, 1);
    assertArrayEquals(peer.get(2).blockHash(), state.blocksRange(3, 3).get(0).blockHash(),
        "two masters applying the same commits compute the same chain");
    SyncBlocksResult result = state.syncBlocks(peer.subList(3, 10));
    assertEquals(new SyncBlocksResult(7, 10, ""), result);
    assertEquals(10, state.lastBlockNumber());
    assertEquals(2, state.currentEpoch());
    assertEquals(1_700_000_042_000L, state.epochStartTimestampMs(), "the first synced block of epoch 2 set its start");
    assertEquals(peer.subList(3, 10), state.blocksRange(4, 10));
    // The chain goes on from the synced tip.
    applyAll(state, 11, 11, 2);
    assertArrayEquals(peer.get(9).blockHash(), state.blocksRange(11, 11).get(0).parentHash());
  }

  @Test
  void syncRefusesBlocksThatDoNotFollowOrDoNotChainAndWritesNothing() throws Exception {
    List<BlockData> peer = peerBlocks(8);
    ChainState state = open();
    applyAll(state, 1, 3, 1);
    long filesBefore = totalSegmentBytes();

    SyncBlocksResult gap = state.syncBlocks(peer.subList(4, 8));
    assertEquals(0, gap.syncedCount());
    assertEquals(3, gap.lastSyncedBlock());
    assertEquals("sync_blocks refused, nothing appended: block 5 does not follow block 3: expected block 4",
        gap.error());

    SyncBlocksResult skipping = state.syncBlocks(List.of(peer.get(3), peer.get(5)));
    assertTrue(skipping.error().contains("block 6 does not follow block 4: expected block 5"),
        skipping.error());

    BlockData good = peer.get(4);
    BlockData forged = new BlockData(good.blockNumber(), good.blockHash(), good.epoch(), good.timestampMs(),
        new byte[32], null, null, null, 0, 0, null);
    SyncBlocksResult badParent = state.syncBlocks(List.of(peer.get(3), forged, peer.get(5)));
    assertEquals(0, badParent.syncedCount());
    assertTrue(badParent.error().contains("block 5 has parent_hash " + "00".repeat(32) + " but block 4 has block_hash "
        + HexFormat.of().formatHex(peer.get(3).blockHash())), badParent.error());

    List<BlockData> withNull = new ArrayList<>(peer.subList(3, 5));
    withNull.add(null);
    assertTrue(state.syncBlocks(withNull).error().contains("missing (null)"));

    assertEquals(3, state.lastBlockNumber());
    assertEquals(filesBefore, totalSegmentBytes(), "nothing was written for any refused batch");
    state.close();
    ChainState reopened = open();
    assertEquals(3, reopened.lastBlockNumber());
    assertEquals(new SyncBlocksResult(5, 8, ""), reopened.syncBlocks(peer.subList(3, 8)));
  }

  @Test
  void syncSkipsBlocksAlreadyHeldWhenTheyMatchAndRefusesAConflict() throws Exception {
    List<BlockData> peer = peerBlocks(6);
    ChainState state = open();
    applyAll(state, 1, 3, 1);
    assertEquals(new SyncBlocksResult(3, 6, ""), state.syncBlocks(peer.subList(1, 6)), "2 and 3 held, 4..6 new");
    assertEquals(new SyncBlocksResult(0, 6, ""), state.syncBlocks(peer.subList(0, 6)), "all held");

    ChainState other = open(otherStorage.resolveSibling(otherStorage.getFileName() + "b"), ChainOptions.defaults());
    applyAll(other, 1, 2, 9); // a different chain: epoch 9 changes every hash
    SyncBlocksResult conflict = other.syncBlocks(peer.subList(0, 4));
    assertEquals(0, conflict.syncedCount());
    assertTrue(conflict.error().contains("block 1 conflicts with this master's block 1"), conflict.error());
    assertEquals(2, other.lastBlockNumber());
    deleteTree(otherStorage.resolveSibling(otherStorage.getFileName() + "b"), other);
  }

  @Test
  void syncIntoAGapAppliesTheBufferedCommitsAfterIt() throws Exception {
    List<BlockData> peer = peerBlocks(5);
    ChainState state = open();
    applyAll(state, 1, 2, 1);
    assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(6, 1)));
    assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(7, 1)));
    assertEquals(IntakeOutcome.BUFFERED, state.apply(commit(4, 1)), "to be covered by the sync");
    assertEquals(new SyncBlocksResult(3, 5, ""), state.syncBlocks(peer.subList(2, 5)));
    assertEquals(7, state.lastBlockNumber(), "6 and 7 were waiting for the gap the sync closed");
    assertEquals(0, state.pendingCommits());
    assertArrayEquals(peer.get(4).blockHash(), state.blocksRange(6, 6).get(0).parentHash());
  }

  @Test
  void anEmptyMasterTakesASyncFromBlockOne() throws Exception {
    List<BlockData> peer = peerBlocks(4);
    ChainState state = open();
    assertEquals(new SyncBlocksResult(0, 0, ""), state.syncBlocks(List.of()));
    assertEquals(new SyncBlocksResult(4, 4, ""), state.syncBlocks(peer));
    assertEquals(peer, state.blocksRange(1, 4));
  }

  // ---- durability ----

  @Test
  void theStateSurvivesCloseAndReopen() throws Exception {
    ChainState state = open(storage, new ChainOptions(1000, 4, 16, 1000, 1 << 20));
    applyAll(state, 1, 9, 1);
    state.advanceEpoch(2, 1_700_000_000_777L, 9);
    applyAll(state, 10, 10, 2);
    state.apply(commit(12, 2)); // buffered only: not applied, not kept
    List<BlockData> blocks = state.blocksRange(1, 10);
    state.close();

    ChainState reopened = open(storage, new ChainOptions(1000, 4, 16, 1000, 1 << 20));
    assertEquals(10, reopened.lastBlockNumber());
    assertEquals(2, reopened.currentEpoch());
    assertEquals(1_700_000_000_777L, reopened.epochStartTimestampMs());
    assertEquals(blocks, reopened.blocksRange(1, 10));
    assertEquals(0, reopened.pendingCommits());
    applyAll(reopened, 11, 11, 2);
    assertArrayEquals(blocks.get(9).blockHash(), reopened.blocksRange(11, 11).get(0).parentHash(),
        "the chain continues from the reopened tip");
  }

  @Test
  void aTornTailIsCutAndTheStateIsTheLastGoodOne() throws Exception {
    ChainState state = open();
    applyAll(state, 1, 10, 1);
    List<BlockData> good = state.blocksRange(1, 9);
    state.close();
    Path segment = segments().get(segments().size() - 1);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(file.length() - 20); // the last record, cut mid-way
    }
    ChainState reopened = open();
    assertEquals(9, reopened.lastBlockNumber());
    assertEquals(good, reopened.blocksRange(1, 100));
    applyAll(reopened, 10, 10, 1);
    assertArrayEquals(good.get(8).blockHash(), reopened.blocksRange(10, 10).get(0).parentHash());
  }

  @Test
  void aFlippedCrcInTheLastRecordRefusesToOpenRatherThanDropTheEpochChange() throws Exception {
    ChainState state = open();
    applyAll(state, 1, 5, 1);
    state.advanceEpoch(3, 1_700_000_000_999L, 5);
    state.close();
    Path segment = segments().get(0);
    long lastRecord;
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      // Walk the records by their length prefixes: the advance_epoch record also carries the new
      // epoch's entry, so its size is not fixed.
      long at = Segment.HEADER_BYTES;
      long previous = at;
      while (at < file.length()) {
        file.seek(at);
        previous = at;
        at += WalRecord.HEADER_BYTES + file.readInt();
      }
      lastRecord = previous;
      file.seek(lastRecord + 4); // the CRC of the advance_epoch record (no blocks)
      int b = file.read();
      file.seek(lastRecord + 4);
      file.write(b ^ 0x01);
    }
    byte[] damaged = Files.readAllBytes(segment);
    IOException e = assertThrows(IOException.class, this::open);
    assertTrue(e.getMessage().contains("is corrupt at byte " + lastRecord),
        e.getMessage());
    assertArrayEquals(damaged, Files.readAllBytes(segment), "nothing was cut");
  }

  @Test
  void retentionPrunesOldBlocksAndRangesBelowTheFloorAreRefused() throws Exception {
    ChainState state = open(storage, new ChainOptions(10, 5, 16, 1000, 1 << 20));
    applyAll(state, 1, 30, 1);
    assertEquals(21, state.firstRetainedBlock());
    assertEquals(2, segments().size());
    assertEquals(List.of(21L, 22L), numbers(state.blocksRange(21, 22)));
    RefusedRequestException e = assertThrows(RefusedRequestException.class, () -> state.blocksRange(5, 25));
    assertEquals("get_blocks_range 5..25: blocks below 21 were pruned (this master keeps the newest 10 blocks,"
        + " storage.retention_blocks); it holds blocks 21..30", e.getMessage());
    state.close();
    ChainState reopened = open(storage, new ChainOptions(10, 5, 16, 1000, 1 << 20));
    assertEquals(21, reopened.firstRetainedBlock());
    assertEquals(30, reopened.lastBlockNumber());
    applyAll(reopened, 31, 31, 1);
  }

  @Test
  void optionsNameTheBadValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChainOptions.defaults().withRetentionBlocks(-1));
    assertEquals("storage.retention_blocks = -1: expected 0 (keep every block) or a number of blocks to keep",
        e.getMessage());
  }

  @Test
  void retentionZeroKeepsEveryBlock() throws Exception {
    ChainState state = open(storage, new ChainOptions(ChainOptions.KEEP_ALL, 5, 16, 1000, 1 << 20));
    applyAll(state, 1, 30, 1);
    assertEquals(1, state.firstRetainedBlock());
    assertEquals(6, segments().size(), "no segment deleted");
    assertEquals(List.of(1L, 2L), numbers(state.blocksRange(1, 2)));
    assertEquals(ChainOptions.KEEP_ALL, ChainOptions.defaults().retentionBlocks(), "keeping all is the default");
  }

  @Test
  void aClosedStateRefusesWritesButOpensAgain() throws IOException {
    ChainState state = open();
    applyAll(state, 1, 1, 1);
    state.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> state.apply(commit(2, 1)));
    assertEquals("the chain state is closed", e.getMessage());
    assertEquals(1, open().lastBlockNumber());
  }

  private long totalSegmentBytes() throws IOException {
    long total = 0;
    for (Path p : segments()) {
      total += Files.size(p);
    }
    return total;
  }

  private static List<Long> numbers(List<BlockData> blocks) {
    return blocks.stream().map(BlockData::blockNumber).toList();
  }

  private void deleteTree(Path root, ChainState state) throws IOException {
    state.close();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
