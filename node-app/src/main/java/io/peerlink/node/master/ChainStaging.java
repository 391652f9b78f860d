package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The staging side of {@link ChainState}: writers turn their change into blocks against the
 * staged tip (every change staged, durable or not) under the write lock, and hand it to the
 * {@link GroupCommit}, which makes it durable together with whatever else was staged meanwhile
 * and then publishes the durable tip to readers ({@link ChainReads#head}) and waiters.
 */
abstract class ChainStaging extends ChainReads {
  private static final System.Logger LOG = System.getLogger(ChainStaging.class.getName());

  /** A block's bytes beyond its commit's content: hashes, numbers, framing (a room estimate). */
  static final long BLOCK_OVERHEAD_BYTES = 128;

  final ReentrantLock writeLock = new ReentrantLock();
  final CommitGapBuffer gap;
  final GroupCommit groups;
  /** The tip with every staged change, durable or not: what the next change continues. Under writeLock. */
  ChainHead staged;
  /**
   * The newest block staged, durable or not, as it was staged; null when none was or its group was
   * lost. The next sync batch checks its epoch against it: kept, it is not read back from the disk
   * and decoded once per batch. A synced block received from a peer is a view of its answer's
   * frame, so this keeps that one frame (at most one answer) in the heap until the next change.
   * Under writeLock.
   */
  private StoredBlock newestStaged;

  ChainStaging(ChainStore store, ChainOptions options, LongSupplier clockMs, ChainHead head, EpochBook epochs,
      String name) {
    super(store, options, clockMs, head, epochs);
    this.gap = new CommitGapBuffer(options.pendingCommitLimit());
    this.staged = head;
    this.groups = new GroupCommit(store, writeLock, new GroupCommit.Publisher() {
      @Override
      public void durable(CommitGroup group) {
        ChainStaging.this.head = group.after();
        group.entries().forEach(ChainStaging.this.epochs::publish);
        waiters.reached(group.after().lastBlock());
      }

      @Override
      public void lost(Throwable cause) {
        staged = ChainStaging.this.head;
        newestStaged = null;
      }
    }, name);
  }

  /** The last block staged, durable or not (the status shows only the durable one). */
  long stagedLastBlock() {
    writeLock.lock();
    try {
      return staged.lastBlock();
    } finally {
      writeLock.unlock();
    }
  }

  /** Makes blocks of consecutive commits and stages them as one change. Holds the write lock. */
  CommitGroup stageCommits(List<Commit> run) {
    ChainHead before = staged;
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
      stored.add(StoredBlock.owning(number, block.encode())); // a fresh array: no defensive copy
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
    long last = run.get(run.size() - 1).globalExecIndex();
    CommitGroup group = stage(stored, marks, new ChainHead(last, parent, mark));
    gap.dropUpTo(last);
    logEpochChange(before.mark(), mark, "commit");
    LOG.log(Level.DEBUG, () -> "block channel: staged commit(s) " + Long.toUnsignedString(run.get(0).globalExecIndex())
        + ".." + Long.toUnsignedString(last));
    return group;
  }

  /**
   * Stages blocks and the tip after them as one change, with the epoch entries of the epochs
   * {@code marks} began (read from the committee source now); the entries are published with the
   * group. Holds the write lock.
   */
  CommitGroup stage(List<StoredBlock> stored, List<EpochMark> marks, ChainHead tip) {
    List<EpochBoundaryData> entries = new ArrayList<>(marks.size());
    for (EpochMark m : marks) {
      EpochBoundaryData entry = epochs.entryFor(m);
      if (entry != null) {
        entries.add(entry);
      }
    }
    CommitGroup group = groups.stage(stored, entries, tip);
    staged = tip;
    if (!stored.isEmpty()) {
      newestStaged = stored.get(stored.size() - 1);
    }
    return group;
  }

  /** Stages an epoch change alone. Holds the write lock. */
  CommitGroup stageMark(EpochMark mark) {
    return stage(List.of(), List.of(mark), staged.withMark(mark));
  }

  /**
   * The start of the highest epoch below {@code epoch} as the staged tip knows it (entries staged
   * but not yet durable included): what a re-set of the current epoch must not start before.
   * Holds the write lock.
   */
  long stagedStartBefore(long epoch) {
    return epochs.startBefore(epoch, groups.stagedEntries());
  }

  /** Our block of a number, staged or durable, for the overlap check of a sync. Holds the write lock. */
  BlockData stagedOrStoredBlock(long number) throws IOException {
    StoredBlock held = newestStaged != null && newestStaged.number() == number ? newestStaged
        : groups.stagedBlock(number); // a group leaves the staged list only once the store has it
    if (held == null) {
      return decode(number, store.read(number, number, Long.MAX_VALUE).get(0));
    }
    // A synced block is at hand as it was verified: no copy and decode of its bytes per batch.
    return held.decoded() != null ? held.decoded() : decode(number, held.data());
  }

  /** Stages the buffered commits a sync reaching {@code newLast} let through. Holds the write lock. */
  void stageBufferedAfterSync(long newLast) {
    int dropped = gap.dropUpTo(newLast);
    if (dropped > 0) {
      LOG.log(Level.DEBUG, () -> "sync_blocks: " + dropped + " buffered commit(s) now covered, dropped");
    }
    List<Commit> run = gap.runFrom(newLast + 1);
    if (!run.isEmpty()) {
      stageCommits(run);
      LOG.log(Level.INFO, "sync_blocks closed the gap: " + run.size() + " buffered commit(s) applied, last block "
          + Long.toUnsignedString(staged.lastBlock()));
    }
  }

  /** The value of a staged change's future, once durable; its failure as the IOException it was. */
  static <T> T await(CompletableFuture<T> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the chain log; the change is staged and may"
          + " still be applied");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(String.valueOf(cause), cause);
    }
  }

  static void logEpochChange(EpochMark before, EpochMark after, String cause) {
    if (after.epoch() != before.epoch()) {
      LOG.log(Level.INFO, "epoch " + Long.toUnsignedString(after.epoch()) + " begins after block "
          + Long.toUnsignedString(after.boundaryBlock()) + " (by " + cause + "), start " + after.epochStartMs() + " ms");
    }
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the chain state is closed");
    }
  }

}
