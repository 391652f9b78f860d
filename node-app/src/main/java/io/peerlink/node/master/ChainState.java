package io.peerlink.node.master;

import io.peerlink.discovery.core.MasterState;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The master's chain: commits from the block channel become blocks, kept durably in a
 * {@link ChainStore} under {@code storage_path/chain}, and served to the query channel.
 *
 * <p><b>Intake.</b> The last block is the highest contiguous {@code global_exec_index} applied
 * (numbering starts at 1; 0 means none). A commit after a gap waits in a bounded buffer until the
 * missing one arrives (by the block channel or by {@link #syncBlocks}); a repeat is ignored; when
 * the buffer is full a commit is refused with an error naming it. Each applied commit becomes one
 * {@link BlockData}: its number, its epoch (the highest epoch among the commit's blocks; the
 * current epoch when it has none), the wall-clock time it was applied (a commit carries no time),
 * its parent's hash and its own ({@link BlockHashes}).
 *
 * <p><b>Epoch.</b> Moves forward only: to a higher epoch by {@link #advanceEpoch} (start and
 * boundary as given), by the first applied commit of a higher epoch (start = its application
 * time, boundary = the block before it) or by synced blocks (start = the first such block's
 * timestamp). A commit of a lower epoch is applied but does not move the epoch back.
 *
 * <p><b>Durability.</b> Every change is one durable store record before it becomes visible; the
 * status queries read a volatile snapshot and never wait for the disk. On open the state is
 * rebuilt from the store.
 *
 * <p>Thread-safe: writers (intake, sync, advance) are serialised; reads run alongside.
 */
public final class ChainState implements MasterState, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ChainState.class.getName());
  /** The store's directory inside {@code storage_path}. */
  public static final String CHAIN_DIRECTORY = "chain";

  private final ChainStore store;
  private final ChainOptions options;
  private final LongSupplier clockMs;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final CommitGapBuffer gap;
  private volatile ChainHead head;
  private volatile boolean closed;

  private ChainState(ChainStore store, ChainOptions options, LongSupplier clockMs, ChainHead head) {
    this.store = store;
    this.options = options;
    this.clockMs = clockMs;
    this.gap = new CommitGapBuffer(options.pendingCommitLimit());
    this.head = head;
  }

  /**
   * Opens the chain under {@code storagePath} (creating it when missing), rebuilding the state
   * from disk and repairing a torn tail.
   *
   * @throws IOException when the storage cannot be opened: in use by another master, unreadable,
   *     or damaged other than at its tail (the message says which file and where)
   */
  public static ChainState open(Path storagePath, ChainOptions options) throws IOException {
    return open(storagePath, options, System::currentTimeMillis);
  }

  static ChainState open(Path storagePath, ChainOptions options, LongSupplier clockMs) throws IOException {
    ChainStore store = ChainStore.open(storagePath.resolve(CHAIN_DIRECTORY), options.retentionBlocks(),
        options.blocksPerSegment());
    try {
      long last = store.lastBlock();
      byte[] lastHash = BlockHashes.GENESIS_PARENT;
      if (last > 0) {
        BlockData lastBlock = decode(last, store.read(last, last, Long.MAX_VALUE).get(0));
        lastHash = lastBlock.blockHash();
      }
      ChainHead head = new ChainHead(last, lastHash, store.mark());
      LOG.log(Level.INFO, "chain state " + storagePath + ": last block " + Long.toUnsignedString(last)
          + " (" + BlockHashes.shortHex(lastHash) + "), epoch " + Long.toUnsignedString(head.mark().epoch())
          + " since " + head.mark().epochStartMs() + " ms, keeping blocks from "
          + Long.toUnsignedString(store.firstBlock()));
      return new ChainState(store, options, clockMs, head);
    } catch (IOException | RuntimeException e) {
      try {
        store.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  // ---- reads: a snapshot, no lock, no disk ----

  @Override
  public long currentEpoch() {
    return head.mark().epoch();
  }

  @Override
  public long lastBlockNumber() {
    return head.lastBlock();
  }

  @Override
  public long epochStartTimestampMs() {
    return head.mark().epochStartMs();
  }

  /** The oldest block still kept; blocks below it were pruned by retention. */
  public long firstRetainedBlock() {
    return store.firstBlock();
  }

  /**
   * Why the chain cannot be written right now (a full disk, a read-only file system: a failed
   * write being retried); empty while writes go through.
   */
  public Optional<String> stuckReason() {
    return store.stuckReason();
  }

  /** How many commits wait behind a gap. */
  public int pendingCommits() {
    writeLock.lock();
    try {
      return gap.size();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Blocks {@code fromBlock..toBlock}, inclusive, from disk; capped by
   * {@link ChainOptions#maxBlocksPerRange()} and {@link ChainOptions#maxRangeBytes()}. Asking past
   * the last block returns what exists (possibly nothing; block 0 never exists); asking below the
   * retained floor is refused with the floor and the retention named, since those blocks are gone.
   */
  @Override
  public List<BlockData> blocksRange(long fromBlock, long toBlock) throws IOException, RefusedRequestException {
    if (Long.compareUnsigned(fromBlock, toBlock) > 0) {
      throw new RefusedRequestException("get_blocks_range: from_block " + Long.toUnsignedString(fromBlock)
          + " is after to_block " + Long.toUnsignedString(toBlock));
    }
    long last = head.lastBlock();
    long from = fromBlock == 0 ? 1 : fromBlock;
    if (from < 0 || from > last) {
      return List.of(); // not yet applied (from < 0 is above 2^63 unsigned): nothing exists there
    }
    long to = toBlock < 0 ? last : Math.min(toBlock, last); // toBlock < 0: above 2^63 unsigned
    to = Math.min(to, from + options.maxBlocksPerRange() - 1);
    if (from < store.firstBlock()) {
      throw pruned(fromBlock, toBlock, last);
    }
    List<byte[]> encoded;
    try {
      encoded = store.read(from, to, options.maxRangeBytes());
    } catch (IllegalArgumentException e) {
      throw pruned(fromBlock, toBlock, last); // retention moved the floor since the check above
    }
    List<BlockData> blocks = new ArrayList<>(encoded.size());
    long number = from;
    for (byte[] bytes : encoded) {
      blocks.add(decode(number++, bytes));
    }
    return blocks;
  }

  private RefusedRequestException pruned(long fromBlock, long toBlock, long last) {
    long first = store.firstBlock();
    return new RefusedRequestException("get_blocks_range " + Long.toUnsignedString(fromBlock) + ".."
        + Long.toUnsignedString(toBlock) + ": blocks below " + Long.toUnsignedString(first)
        + " were pruned (this master keeps the newest " + options.retentionBlocks()
        + " blocks, storage.retention_blocks); it holds " + ChainStore.describeBlocks(first, last));
  }

  // ---- writes: serialised, durable before visible ----

  /**
   * Takes one commit from the block channel: applies it (and any buffered successors) when it is
   * the next, buffers it after a gap, ignores a repeat, refuses it when the buffer is full. Each
   * outcome is logged (a gap at info, a refusal at error naming the index, a repeat at debug).
   * When this returns {@link IntakeOutcome#APPLIED}, the commit survives a crash.
   *
   * @throws IOException when the store cannot write; nothing was applied
   */
  public IntakeOutcome apply(CommittedEpochData commit) throws IOException {
    writeLock.lock();
    try {
      ensureOpen();
      long index = commit.globalExecIndex();
      long last = head.lastBlock();
      if (Long.compareUnsigned(index, last) <= 0) {
        if (index == 0) {
          LOG.log(Level.WARNING, "block channel: commit with global_exec_index 0 ignored: numbering starts at 1");
        } else {
          LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(index)
              + " repeats (last block " + Long.toUnsignedString(last) + "), ignored");
        }
        return IntakeOutcome.REPEAT;
      }
      if (index < 0) {
        LOG.log(Level.ERROR, "block channel: commit " + Long.toUnsignedString(index)
            + " refused: global_exec_index above 2^63-1 is not supported");
        return IntakeOutcome.REFUSED;
      }
      if (index != last + 1) {
        return buffer(commit, last);
      }
      List<CommittedEpochData> run = new ArrayList<>();
      run.add(commit);
      run.addAll(gap.runFrom(index + 1));
      applyCommits(run);
      if (run.size() > 1) {
        LOG.log(Level.INFO, "block channel: commit " + Long.toUnsignedString(index) + " closed the gap; "
            + (run.size() - 1) + " buffered commit(s) applied, last block " + Long.toUnsignedString(head.lastBlock())
            + (gap.size() > 0 ? "; " + gap.size() + " still wait behind the next gap" : ""));
      }
      return IntakeOutcome.APPLIED;
    } finally {
      writeLock.unlock();
    }
  }

  private IntakeOutcome buffer(CommittedEpochData commit, long last) {
    long index = commit.globalExecIndex();
    if (gap.contains(index)) {
      LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(index) + " is already buffered, ignored");
      return IntakeOutcome.REPEAT;
    }
    if (gap.isFull()) {
      LOG.log(Level.ERROR, "block channel: commit " + Long.toUnsignedString(index) + " refused: "
          + gap.size() + " commits (the limit) already wait for missing commit " + Long.toUnsignedString(last + 1)
          + "; it must be re-sent or fetched by catch-up");
      return IntakeOutcome.REFUSED;
    }
    boolean opensGap = gap.size() == 0 || Long.compareUnsigned(index, gap.lowest()) < 0;
    gap.add(commit);
    if (opensGap) {
      LOG.log(Level.INFO, "block channel: gap after block " + Long.toUnsignedString(last) + ": commit "
          + Long.toUnsignedString(index) + " waits for commit(s) " + Long.toUnsignedString(last + 1) + ".."
          + Long.toUnsignedString(index - 1) + " (" + gap.size() + "/" + gap.limit() + " buffered)");
    } else {
      LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(index) + " buffered behind the gap at "
          + Long.toUnsignedString(last + 1) + " (" + gap.size() + "/" + gap.limit() + ")");
    }
    return IntakeOutcome.BUFFERED;
  }

  /** Makes blocks of consecutive commits and stores them as one record. Holds the write lock. */
  private void applyCommits(List<CommittedEpochData> run) throws IOException {
    ChainHead before = head;
    byte[] parent = before.lastHash();
    EpochMark mark = before.mark();
    long now = clockMs.getAsLong();
    List<StoredBlock> stored = new ArrayList<>(run.size());
    for (CommittedEpochData commit : run) {
      long number = commit.globalExecIndex();
      long epoch = commitEpoch(commit, mark.epoch());
      byte[] hash = BlockHashes.blockHash(parent, number, epoch, commit.encode());
      BlockData block = new BlockData(number, hash, epoch, now, parent, null, null, null, 0, 0, null);
      stored.add(new StoredBlock(number, block.encode()));
      if (Long.compareUnsigned(epoch, mark.epoch()) > 0) {
        mark = new EpochMark(epoch, now, number - 1);
      } else if (Long.compareUnsigned(epoch, mark.epoch()) < 0) {
        long current = mark.epoch();
        LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(number) + " carries epoch "
            + Long.toUnsignedString(epoch) + ", below the current epoch " + Long.toUnsignedString(current)
            + "; the epoch stays");
      }
      parent = hash;
    }
    store.append(mark, stored);
    long last = run.get(run.size() - 1).globalExecIndex();
    head = new ChainHead(last, parent, mark);
    gap.dropUpTo(last);
    logEpochChange(before.mark(), mark, "commit");
    LOG.log(Level.DEBUG, () -> "block channel: applied commit(s) " + Long.toUnsignedString(run.get(0).globalExecIndex())
        + ".." + Long.toUnsignedString(last));
  }

  /** The highest epoch among the commit's blocks, or {@code current} when it has none. */
  private static long commitEpoch(CommittedEpochData commit, long current) {
    List<CommittedBlock> blocks = commit.blocks();
    if (blocks.isEmpty()) {
      return current;
    }
    long epoch = blocks.get(0).epoch();
    for (CommittedBlock block : blocks) {
      if (Long.compareUnsigned(block.epoch(), epoch) > 0) {
        epoch = block.epoch();
      }
    }
    return epoch;
  }

  /**
   * Appends blocks fetched from peers. They must run consecutively from the last block + 1 and
   * chain by parent hash (where both hashes are present); a leading run of blocks this master
   * already has is skipped when their hashes match ours (catch-up racing the block channel). The
   * whole batch is checked before anything is written, and written as one record: all or nothing.
   * The epoch follows the highest block's epoch when that is higher.
   *
   * @return synced = blocks appended, last synced = the last block afterwards; or synced 0 and an
   *     error naming the offending block
   * @throws IOException when the store cannot write; nothing was appended
   */
  @Override
  public SyncBlocksResult syncBlocks(List<BlockData> blocks) throws IOException {
    writeLock.lock();
    try {
      ensureOpen();
      ChainHead before = head;
      long last = before.lastBlock();
      int skip = 0;
      while (skip < blocks.size() && blocks.get(skip) != null
          && Long.compareUnsigned(blocks.get(skip).blockNumber(), last) <= 0) {
        skip++;
      }
      String conflict = checkOverlap(blocks.subList(0, skip));
      if (conflict != null) {
        return refuseSync(blocks, before, conflict);
      }
      List<BlockData> fresh = blocks.subList(skip, blocks.size());
      if (fresh.isEmpty()) {
        return new SyncBlocksResult(0, last, "");
      }
      byte[] previousHash = last == 0 ? null : before.lastHash(); // an empty chain has no parent to check
      long expected = last + 1;
      List<StoredBlock> stored = new ArrayList<>(fresh.size());
      for (BlockData block : fresh) {
        if (block == null) {
          return refuseSync(blocks, before, "block after " + Long.toUnsignedString(expected - 1) + " is missing (null)");
        }
        if (block.blockNumber() != expected) {
          return refuseSync(blocks, before, "block " + Long.toUnsignedString(block.blockNumber())
              + " does not follow block " + Long.toUnsignedString(expected - 1) + ": expected block "
              + Long.toUnsignedString(expected) + (expected == last + 1 ? " (this master's last block is "
              + Long.toUnsignedString(last) + ")" : " (blocks must be consecutive)"));
        }
        byte[] parentHash = block.parentHash();
        if (previousHash != null && previousHash.length > 0 && parentHash.length > 0
            && !Arrays.equals(previousHash, parentHash)) {
          return refuseSync(blocks, before, "block " + Long.toUnsignedString(expected) + " has parent_hash "
              + BlockHashes.shortHex(parentHash) + " but block " + Long.toUnsignedString(expected - 1)
              + " has hash " + BlockHashes.shortHex(previousHash));
        }
        stored.add(new StoredBlock(expected, block.encode()));
        previousHash = block.blockHash();
        expected++;
      }
      EpochMark mark = syncedMark(before.mark(), fresh);
      try {
        store.append(mark, stored);
      } catch (IllegalArgumentException e) {
        return refuseSync(blocks, before, e.getMessage()); // too large for one record
      }
      long newLast = expected - 1;
      byte[] lastHash = fresh.get(fresh.size() - 1).blockHash();
      head = new ChainHead(newLast, lastHash, mark);
      LOG.log(Level.INFO, "sync_blocks: appended blocks " + Long.toUnsignedString(last + 1) + ".."
          + Long.toUnsignedString(newLast) + (skip > 0 ? " (" + skip + " already held, skipped)" : ""));
      logEpochChange(before.mark(), mark, "synced block");
      int dropped = gap.dropUpTo(newLast);
      if (dropped > 0) {
        LOG.log(Level.DEBUG, () -> "sync_blocks: " + dropped + " buffered commit(s) now covered, dropped");
      }
      List<CommittedEpochData> run = gap.runFrom(newLast + 1);
      if (!run.isEmpty()) {
        try {
          applyCommits(run);
          LOG.log(Level.INFO, "sync_blocks closed the gap: " + run.size() + " buffered commit(s) applied, last block "
              + Long.toUnsignedString(head.lastBlock()));
        } catch (IOException e) {
          // The sync itself is durable; report it as done and the buffered commits as not applied.
          LOG.log(Level.ERROR, "sync_blocks: buffered commits " + Long.toUnsignedString(newLast + 1)
              + ".. could not be applied after the sync: " + e.getMessage(), e);
        }
      }
      return new SyncBlocksResult(fresh.size(), newLast, "");
    } finally {
      writeLock.unlock();
    }
  }

  /** Checks blocks at or below the last block against ours; an error text on a mismatch, else null. */
  private String checkOverlap(List<BlockData> overlap) throws IOException {
    if (overlap.isEmpty()) {
      return null;
    }
    long first = Math.max(store.firstBlock(), 1);
    for (BlockData theirs : overlap) {
      long number = theirs.blockNumber();
      if (number == 0) {
        return "block 0 does not exist (numbering starts at 1)";
      }
      if (number < first) {
        continue; // pruned here: nothing to compare with, and nothing to write
      }
      BlockData ours = decode(number, store.read(number, number, Long.MAX_VALUE).get(0));
      if (!Arrays.equals(ours.blockHash(), theirs.blockHash())) {
        return "block " + Long.toUnsignedString(number) + " conflicts with this master's block "
            + Long.toUnsignedString(number) + ": block_hash " + BlockHashes.shortHex(theirs.blockHash())
            + " differs from " + BlockHashes.shortHex(ours.blockHash());
      }
    }
    return null;
  }

  private SyncBlocksResult refuseSync(List<BlockData> blocks, ChainHead head, String problem) {
    String error = "sync_blocks refused, nothing appended: " + problem;
    LOG.log(Level.WARNING, error + " (batch of " + blocks.size() + " blocks)");
    return new SyncBlocksResult(0, head.lastBlock(), error);
  }

  /** The epoch after synced blocks: the highest block's, when higher, starting at its first block. */
  private EpochMark syncedMark(EpochMark current, List<BlockData> fresh) {
    long epoch = fresh.get(fresh.size() - 1).epoch();
    if (Long.compareUnsigned(epoch, current.epoch()) <= 0) {
      return current;
    }
    for (BlockData block : fresh) {
      if (block.epoch() == epoch) {
        long start = block.timestampMs() != 0 ? block.timestampMs() : clockMs.getAsLong();
        return new EpochMark(epoch, start, block.blockNumber() - 1);
      }
    }
    throw new AssertionError("the last block has the epoch searched for");
  }

  /**
   * Moves to {@code newEpoch} (equal to the current epoch: re-sets its start and boundary, as a
   * retry or a correction), durably. A lower epoch is refused.
   */
  @Override
  public AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock)
      throws IOException, RefusedRequestException {
    writeLock.lock();
    try {
      ensureOpen();
      EpochMark current = head.mark();
      if (Long.compareUnsigned(newEpoch, current.epoch()) < 0) {
        throw new RefusedRequestException("advance_epoch refused: new_epoch " + Long.toUnsignedString(newEpoch)
            + " is lower than the current epoch " + Long.toUnsignedString(current.epoch()));
      }
      EpochMark mark = new EpochMark(newEpoch, epochStartTimestampMs, boundaryBlock);
      store.append(mark, List.of());
      head = head.withMark(mark);
      LOG.log(Level.INFO, "advance_epoch: epoch " + Long.toUnsignedString(newEpoch) + " from "
          + epochStartTimestampMs + " ms, boundary block " + Long.toUnsignedString(boundaryBlock)
          + " (last block " + Long.toUnsignedString(head.lastBlock()) + ")");
      return new AdvanceEpochResult(newEpoch, epochStartTimestampMs);
    } finally {
      writeLock.unlock();
    }
  }

  private static void logEpochChange(EpochMark before, EpochMark after, String cause) {
    if (after.epoch() != before.epoch()) {
      LOG.log(Level.INFO, "epoch " + Long.toUnsignedString(after.epoch()) + " begins after block "
          + Long.toUnsignedString(after.boundaryBlock()) + " (by " + cause + "), start " + after.epochStartMs() + " ms");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the chain state is closed");
    }
  }

  private static BlockData decode(long number, byte[] bytes) throws IOException {
    try {
      return BlockData.decode(bytes);
    } catch (ProtocolException e) {
      // The record passed its CRC, so this is a bug or a foreign write, not a torn one.
      throw new IOException("stored block " + Long.toUnsignedString(number) + " does not decode: " + e.getMessage(), e);
    }
  }

  /** Closes the store; every applied change is already on disk, so nothing needs flushing. */
  @Override
  public void close() throws IOException {
    store.stopRetrying(); // a writer waiting out a full disk holds the write lock
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (gap.size() > 0) {
        LOG.log(Level.WARNING, "chain state closed with " + gap.size() + " buffered commit(s) behind the gap at "
            + Long.toUnsignedString(head.lastBlock() + 1) + "; they were never applied and are dropped");
      }
      store.close();
    } finally {
      writeLock.unlock();
    }
  }
}
