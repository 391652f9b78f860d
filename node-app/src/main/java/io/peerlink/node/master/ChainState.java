package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ExecutableBlock;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
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
 * <p><b>Durability.</b> Every change is durable before it becomes visible or is acknowledged:
 * writers stage changes against the staged tip and a {@link GroupCommit} writes everything
 * staged meanwhile as one store record with one fdatasync, then publishes it; the status queries
 * read a volatile snapshot of the durable tip and never wait for the disk. On open the state is
 * rebuilt from the store.
 *
 * <p>Thread-safe: writers (intake, sync, advance) are serialised while they stage; reads run
 * alongside.
 */
public final class ChainState extends ChainStaging implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ChainState.class.getName());
  /** The store's directory inside {@code storage_path}. */
  public static final String CHAIN_DIRECTORY = "chain";

  private ChainState(ChainStore store, ChainOptions options, LongSupplier clockMs, ChainHead head, EpochBook epochs,
      String name) {
    super(store, options, clockMs, head, epochs, name);
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
      EpochBook epochs = EpochBook.load(committee, store.epochEntries());
      ChainState state = new ChainState(store, options, clockMs, head, epochs, String.valueOf(storagePath.getFileName()));
      try {
        CommitGroup group;
        state.writeLock.lock();
        try {
          group = state.stageMark(head.mark()); // the current epoch's entry, when missing
        } finally {
          state.writeLock.unlock();
        }
        await(group.durable());
        return state;
      } catch (IOException | RuntimeException e) {
        try {
          state.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
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

  /** Sets what is told how many blocks each group commit wrote with its one fdatasync (metrics). */
  public void onGroupWritten(IntConsumer blocks) {
    groups.onGroupWritten(blocks);
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

  /** As {@link #apply(CommittedEpochData)}, for either message: {@link #submit} and wait. */
  public IntakeOutcome apply(Commit commit) throws IOException {
    return await(submit(commit));
  }

  /**
   * Takes one commit without waiting for the disk: stages it (and any buffered successors) when
   * it is the next after the staged tip, buffers it after a gap, ignores a repeat, refuses it
   * when the buffer is full. The future completes with {@link IntakeOutcome#APPLIED} only once
   * the group holding the commit is durable and visible; exceptionally when that group was never
   * written (the store closed while its write was stuck). The other outcomes complete at once.
   * Waits only while the open group is full (the disk is behind).
   *
   * @throws IOException when the chain is closing; nothing was staged
   * @throws IllegalArgumentException when the commit is too large for one record
   */
  public CompletableFuture<IntakeOutcome> submit(Commit commit) throws IOException {
    writeLock.lock();
    try {
      ensureOpen();
      groups.awaitRoom(commit.content().length + BLOCK_OVERHEAD_BYTES);
      long index = commit.globalExecIndex();
      long last = staged.lastBlock();
      if (Long.compareUnsigned(index, last) <= 0) {
        if (index == 0) {
          LOG.log(Level.WARNING, "block channel: commit with global_exec_index 0 ignored: numbering starts at 1");
        } else {
          LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(index)
              + " repeats (last block " + Long.toUnsignedString(last) + "), ignored");
        }
        return CompletableFuture.completedFuture(IntakeOutcome.REPEAT);
      }
      if (index < 0) {
        LOG.log(Level.ERROR, "block channel: commit " + Long.toUnsignedString(index)
            + " refused: global_exec_index above 2^63-1 is not supported");
        return CompletableFuture.completedFuture(IntakeOutcome.REFUSED);
      }
      if (index != last + 1) {
        return CompletableFuture.completedFuture(gap.offer(commit, last));
      }
      List<Commit> run = new ArrayList<>();
      run.add(commit);
      run.addAll(gap.runFrom(index + 1));
      CommitGroup group = stageCommits(run);
      if (run.size() > 1) {
        LOG.log(Level.INFO, "block channel: commit " + Long.toUnsignedString(index) + " closed the gap; "
            + (run.size() - 1) + " buffered commit(s) applied, last block " + Long.toUnsignedString(staged.lastBlock())
            + (gap.size() > 0 ? "; " + gap.size() + " still wait behind the next gap" : ""));
      }
      return group.durable().thenApply(durable -> IntakeOutcome.APPLIED);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Appends blocks fetched from peers. They must run consecutively from the last block + 1 and
   * chain by parent hash (where both hashes are present); a leading run of blocks this master
   * already has is skipped when their hashes match ours (catch-up racing the block channel). Their
   * epochs must not go below the block before them, nor above the epoch this master may accept
   * (see {@link SyncBatch#epochProblem}: its current epoch, or the next one, entered by this
   * request); entering the next epoch starts it at its first block's time, which must pass
   * {@link EpochRules}. The whole batch is checked before anything is staged, and staged whole
   * into one group (one record): all or nothing. The epoch follows the highest block's epoch when that is higher.
   *
   * @return synced = blocks appended, last synced = the last block afterwards; or synced 0 and an
   *     error naming the offending block
   * @throws IOException when the store cannot write; nothing was appended
   */
  @Override
  public SyncBlocksResult syncBlocks(List<BlockData> blocks) throws IOException {
    return await(syncBlocksLater(blocks));
  }

  /**
   * As {@link #syncBlocks}, without waiting for the disk: the batch is checked (links and epoch
   * rules, {@link SyncBatch#check}) against the staged tip and staged at once, so batches
   * pipelined on a connection (and commits arriving meanwhile) share the next fsync; the future
   * completes once the batch is durable and visible.
   * A refusal, or a batch this master already holds, completes once everything staged before it
   * is durable, so the last block it names is never one that could still be lost.
   */
  @Override
  public CompletableFuture<SyncBlocksResult> syncBlocksLater(List<BlockData> blocks) {
    writeLock.lock();
    try {
      ensureOpen();
      while (true) {
        ChainHead before = staged;
        long last = before.lastBlock();
        int skip = 0;
        while (skip < blocks.size() && blocks.get(skip) != null
            && Long.compareUnsigned(blocks.get(skip).blockNumber(), last) <= 0) {
          skip++;
        }
        String conflict = SyncBatch.overlapConflict(blocks.subList(0, skip), Math.max(store.firstBlock(), 1),
            this::stagedOrStoredBlock);
        if (conflict != null) {
          return afterStaged(refuseSync(blocks, before, conflict));
        }
        List<BlockData> fresh = blocks.subList(skip, blocks.size());
        if (fresh.isEmpty()) {
          return afterStaged(new SyncBlocksResult(0, last, ""));
        }
        List<StoredBlock> stored = new ArrayList<>(fresh.size());
        long now = clockMs.getAsLong();
        BlockData lastBlock = last == 0 ? null : stagedOrStoredBlock(last);
        ChainHead from = ChainBase.before(before, fresh);
        String broken = SyncBatch.check(fresh, lastBlock, from, now, options.maxClockSkew(), stored);
        if (broken != null) {
          return afterStaged(refuseSync(blocks, before, broken));
        }
        long bytes = WalRecord.payloadSize(stored);
        if (!groups.fits(bytes)) {
          groups.awaitRoom(bytes); // the lock is released meanwhile: the tip may move, so check again
          continue;
        }
        EpochMark mark = SyncBatch.markAfter(from.mark(), fresh, now);
        ChainHead tip = new ChainHead(from.lastBlock() + fresh.size(), fresh.get(fresh.size() - 1).blockHash(), mark);
        CommitGroup group;
        try {
          group = stage(stored, mark.equals(before.mark()) ? List.of() : List.of(mark), tip);
        } catch (IllegalArgumentException e) {
          return afterStaged(refuseSync(blocks, before, e.getMessage())); // too large for one record
        }
        logEpochChange(before.mark(), mark, "synced block");
        stageBufferedAfterSync(tip.lastBlock());
        int count = fresh.size();
        String skipped = skip > 0 ? " (" + skip + " already held, skipped)" : "";
        // The buffered commits staged with it share its record: all or nothing.
        return group.durable().thenApply(durable -> {
          LOG.log(Level.INFO, "sync_blocks: appended blocks " + Long.toUnsignedString(from.lastBlock() + 1) + ".."
              + Long.toUnsignedString(tip.lastBlock()) + skipped);
          return new SyncBlocksResult(count, tip.lastBlock(), "");
        });
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      writeLock.unlock();
    }
  }

  /** An answer given once everything staged before it is durable. Holds the write lock. */
  private <T> CompletableFuture<T> afterStaged(T answer) {
    return groups.stagedDurable().thenApply(durable -> answer);
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
   * is replaced with this master's clock, as the Go master derives one. "Current", "last block"
   * and "previous start" are the staged tip's (every change staged before it, durable or not), as
   * for {@link #syncBlocksLater}; the answer waits until the change is durable.
   */
  @Override
  public AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock)
      throws IOException, RefusedRequestException {
    CommitGroup group;
    long start;
    writeLock.lock();
    try {
      ensureOpen();
      groups.awaitRoom(0);
      EpochMark current = staged.mark();
      if (Long.compareUnsigned(newEpoch, current.epoch()) < 0) {
        throw new RefusedRequestException("advance_epoch refused: new_epoch " + Long.toUnsignedString(newEpoch)
            + " is lower than the current epoch " + Long.toUnsignedString(current.epoch()));
      }
      long now = clockMs.getAsLong();
      start = epochStartTimestampMs == 0 ? now : epochStartTimestampMs;
      long previousStart = newEpoch == current.epoch() ? stagedStartBefore(newEpoch) : current.epochStartMs();
      EpochRules.checkAdvance(newEpoch, start, boundaryBlock, staged.lastBlock(), previousStart, now,
          options.maxClockSkew());
      group = stageMark(new EpochMark(newEpoch, start, boundaryBlock));
    } finally {
      writeLock.unlock();
    }
    await(group.durable());
    LOG.log(Level.INFO, "advance_epoch: epoch " + Long.toUnsignedString(newEpoch) + " from "
        + Long.toUnsignedString(start) + " ms" + (epochStartTimestampMs == 0 ? " (none given: this master's clock)" : "")
        + ", boundary block " + Long.toUnsignedString(boundaryBlock)
        + " (last block " + Long.toUnsignedString(group.after().lastBlock()) + ")");
    return new AdvanceEpochResult(newEpoch, start);
  }

  /**
   * Writes what is staged (a write stuck on the disk is given up: its changes fail), then closes
   * the store; every acknowledged change is already on disk.
   */
  @Override
  public void close() throws IOException {
    store.stopRetrying(); // a group waiting out a full disk fails at once instead
    groups.close();
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
