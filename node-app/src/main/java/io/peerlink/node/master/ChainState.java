package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ExecutableBlock;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@link BlockData}: its number, its epoch (the commit's {@code epoch}; without one, the highest
 * epoch among its blocks, else the current epoch), its time (the commit's
 * {@code commit_timestamp_ms}; without one, the wall-clock time it was applied), its parent's hash
 * and its own ({@link BlockHashes}). So masters fed the same commits hold the same blocks.
 *
 * <p><b>Epoch.</b> Moves forward only: to a higher epoch by {@link #advanceEpoch} (start and
 * boundary as given), by the first applied commit of a higher epoch (start = its timestamp,
 * boundary = the block before it) or by synced blocks (start = the first such block's
 * timestamp). A commit of a lower epoch is applied but does not move the epoch back. Each epoch's
 * start, boundary and committee (read from the {@link CommitteeSource} as the epoch begins) are
 * kept in the store with the change that began it ({@link EpochBook}).
 *
 * <p><b>Durability.</b> Every change is one durable store record before it becomes visible; the
 * status queries read a volatile snapshot and never wait for the disk. On open the state is
 * rebuilt from the store.
 *
 * <p>Thread-safe: writers (intake, sync, advance) are serialised; reads run alongside.
 */
public final class ChainState extends ChainReads implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ChainState.class.getName());
  /** The store's directory inside {@code storage_path}. */
  public static final String CHAIN_DIRECTORY = "chain";

  private final ReentrantLock writeLock = new ReentrantLock();
  private final CommitGapBuffer gap;

  private ChainState(ChainStore store, ChainOptions options, LongSupplier clockMs, ChainHead head, EpochBook epochs) {
    super(store, options, clockMs, head, epochs);
    this.gap = new CommitGapBuffer(options.pendingCommitLimit());
  }

  /**
   * Opens the chain under {@code storagePath} (creating it when missing), rebuilding the state
   * from disk and repairing a torn tail.
   *
   * @throws IOException when the storage cannot be opened: in use by another master, unreadable,
   *     or damaged other than at its tail (the message says which file and where)
   */
  public static ChainState open(Path storagePath, ChainOptions options) throws IOException {
    return open(storagePath, options, CommitteeSource.NONE);
  }

  /**
   * As {@link #open(Path, ChainOptions)}, with the committee file each new epoch reads its
   * validators from. When the current epoch has no committee yet, it is read now.
   */
  public static ChainState open(Path storagePath, ChainOptions options, CommitteeSource committee) throws IOException {
    return open(storagePath, options, committee, System::currentTimeMillis);
  }

  static ChainState open(Path storagePath, ChainOptions options, LongSupplier clockMs) throws IOException {
    return open(storagePath, options, CommitteeSource.NONE, clockMs);
  }

  static ChainState open(Path storagePath, ChainOptions options, CommitteeSource committee, LongSupplier clockMs)
      throws IOException {
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
      ChainState state = new ChainState(store, options, clockMs, head, EpochBook.load(committee, store.epochEntries()));
      state.writeLock.lock();
      try {
        state.write(head.mark(), List.of(head.mark()), List.of()); // the current epoch's entry, when missing
      } finally {
        state.writeLock.unlock();
      }
      return state;
    } catch (IOException | RuntimeException e) {
      try {
        store.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Sets what is told, in nanoseconds, how long each durable store write took: one record's write
   * and its fdatasync, which dominates (metrics).
   */
  public void onDurableWrite(java.util.function.LongConsumer nanos) {
    store.onDurableWrite(nanos);
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
    return apply(Commit.of(commit));
  }

  /** As {@link #apply(CommittedEpochData)} for G3's message, numbered by its {@code global_exec_index}. */
  public IntakeOutcome apply(ExecutableBlock block) throws IOException {
    return apply(Commit.of(block));
  }

  /** As {@link #apply(CommittedEpochData)}, for either message. */
  public IntakeOutcome apply(Commit commit) throws IOException {
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
        return gap.offer(commit, last);
      }
      List<Commit> run = new ArrayList<>();
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

  /** Makes blocks of consecutive commits and stores them as one record. Holds the write lock. */
  private void applyCommits(List<Commit> run) throws IOException {
    ChainHead before = head;
    byte[] parent = before.lastHash();
    EpochMark mark = before.mark();
    List<EpochMark> marks = new ArrayList<>(1);
    long now = clockMs.getAsLong();
    List<StoredBlock> stored = new ArrayList<>(run.size());
    for (Commit commit : run) {
      long number = commit.globalExecIndex();
      long epoch = commit.hasEpoch() ? commit.epoch() : mark.epoch();
      long time = commit.timestampMs() != 0 ? commit.timestampMs() : now; // deterministic unless the node sends no time
      byte[] hash = BlockHashes.blockHash(parent, number, epoch, commit.content());
      BlockData block = new BlockData(number, hash, epoch, time, parent, null, null, null, 0, 0, null);
      stored.add(new StoredBlock(number, block.encode()));
      if (Long.compareUnsigned(epoch, mark.epoch()) > 0) {
        mark = new EpochMark(epoch, time, number - 1);
        marks.add(mark);
      } else if (Long.compareUnsigned(epoch, mark.epoch()) < 0) {
        long current = mark.epoch();
        LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(number) + " carries epoch "
            + Long.toUnsignedString(epoch) + ", below the current epoch " + Long.toUnsignedString(current)
            + "; the epoch stays");
      }
      parent = hash;
    }
    write(mark, marks, stored);
    long last = run.get(run.size() - 1).globalExecIndex();
    head = new ChainHead(last, parent, mark);
    waiters.reached(last);
    gap.dropUpTo(last);
    logEpochChange(before.mark(), mark, "commit");
    LOG.log(Level.DEBUG, () -> "block channel: applied commit(s) " + Long.toUnsignedString(run.get(0).globalExecIndex())
        + ".." + Long.toUnsignedString(last));
  }

  /**
   * Writes blocks and the mark after them as one durable record, with the epoch entries of the
   * epochs {@code marks} began (read from the committee source now); then publishes the entries.
   * Holds the write lock.
   */
  private void write(EpochMark mark, List<EpochMark> marks, List<StoredBlock> stored) throws IOException {
    List<EpochBoundaryData> entries = new ArrayList<>(marks.size());
    for (EpochMark m : marks) {
      EpochBoundaryData entry = epochs.entryFor(m);
      if (entry != null) {
        entries.add(entry);
      }
    }
    if (stored.isEmpty() && entries.isEmpty() && mark.equals(store.mark())) {
      return;
    }
    List<byte[]> encoded = new ArrayList<>(entries.size());
    entries.forEach(e -> encoded.add(e.encodeMessage()));
    store.append(mark, stored, encoded);
    entries.forEach(epochs::publish);
  }

  /**
   * Appends blocks fetched from peers. They must run consecutively from the last block + 1 and
   * chain by parent hash (where both hashes are present); a leading run of blocks this master
   * already has is skipped when their hashes match ours (catch-up racing the block channel). Their
   * epochs must not go below the block before them, nor above the epoch this master may accept
   * (see {@link SyncBatch#epochProblem}: its current epoch, or the next one, entered by this
   * request); entering the next epoch starts it at its first block's time, which must pass
   * {@link EpochRules}. The whole batch is checked before anything is written, and written as
   * one record: all or nothing. The epoch follows the highest block's epoch when that is higher.
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
      String conflict = SyncBatch.overlapConflict(blocks.subList(0, skip), Math.max(store.firstBlock(), 1),
          number -> decode(number, store.read(number, number, Long.MAX_VALUE).get(0)));
      if (conflict != null) {
        return refuseSync(blocks, before, conflict);
      }
      List<BlockData> fresh = blocks.subList(skip, blocks.size());
      if (fresh.isEmpty()) {
        return new SyncBlocksResult(0, last, "");
      }
      List<StoredBlock> stored = new ArrayList<>(fresh.size());
      long now = clockMs.getAsLong();
      BlockData lastBlock = last == 0 ? null : decode(last, store.read(last, last, Long.MAX_VALUE).get(0));
      String broken = SyncBatch.check(fresh, lastBlock, before, now, options.maxClockSkew(), stored);
      if (broken != null) {
        return refuseSync(blocks, before, broken);
      }
      long expected = last + 1 + fresh.size();
      EpochMark mark = SyncBatch.markAfter(before.mark(), fresh, now);
      try {
        write(mark, mark.equals(before.mark()) ? List.of() : List.of(mark), stored);
      } catch (IllegalArgumentException e) {
        return refuseSync(blocks, before, e.getMessage()); // too large for one record
      }
      long newLast = expected - 1;
      byte[] lastHash = fresh.get(fresh.size() - 1).blockHash();
      head = new ChainHead(newLast, lastHash, mark);
      waiters.reached(newLast);
      LOG.log(Level.INFO, "sync_blocks: appended blocks " + Long.toUnsignedString(last + 1) + ".."
          + Long.toUnsignedString(newLast) + (skip > 0 ? " (" + skip + " already held, skipped)" : ""));
      logEpochChange(before.mark(), mark, "synced block");
      int dropped = gap.dropUpTo(newLast);
      if (dropped > 0) {
        LOG.log(Level.DEBUG, () -> "sync_blocks: " + dropped + " buffered commit(s) now covered, dropped");
      }
      List<Commit> run = gap.runFrom(newLast + 1);
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

  private SyncBlocksResult refuseSync(List<BlockData> blocks, ChainHead head, String problem) {
    String error = "sync_blocks refused, nothing appended: " + problem;
    LOG.log(Level.WARNING, error + " (batch of " + blocks.size() + " blocks)");
    return new SyncBlocksResult(0, head.lastBlock(), error);
  }

  /**
   * Moves to {@code newEpoch} (equal to the current epoch: re-sets its start and boundary, as a
   * retry or a correction), durably. Refused, naming the values: a lower epoch (an epoch never
   * moves back); a boundary block above this master's last block (an epoch cannot begin after a
   * block the master does not hold); a start more than {@code master.max_clock_skew} ahead of
   * this master's clock, or before the previous epoch's start ({@link EpochRules}). A zero start
   * is replaced with this master's clock, as the Go master derives one.
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
      long now = clockMs.getAsLong();
      long start = epochStartTimestampMs == 0 ? now : epochStartTimestampMs;
      long previousStart = newEpoch == current.epoch() ? epochs.startBefore(newEpoch) : current.epochStartMs();
      EpochRules.checkAdvance(newEpoch, start, boundaryBlock, head.lastBlock(), previousStart, now, options.maxClockSkew());
      EpochMark mark = new EpochMark(newEpoch, start, boundaryBlock);
      write(mark, List.of(mark), List.of());
      head = head.withMark(mark);
      LOG.log(Level.INFO, "advance_epoch: epoch " + Long.toUnsignedString(newEpoch) + " from "
          + Long.toUnsignedString(start) + " ms" + (epochStartTimestampMs == 0 ? " (none given: this master's clock)" : "")
          + ", boundary block " + Long.toUnsignedString(boundaryBlock)
          + " (last block " + Long.toUnsignedString(head.lastBlock()) + ")");
      return new AdvanceEpochResult(newEpoch, start);
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
      waiters.closeAll("the master is shutting down");
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
