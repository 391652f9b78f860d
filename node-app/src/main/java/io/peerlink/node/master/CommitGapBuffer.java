package io.peerlink.node.master;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Commits that arrived ahead of a gap, by {@code global_exec_index}, bounded in count. Memory only:
 * a buffered commit is not applied, so losing it in a crash loses nothing promised (the node
 * re-sends or catch-up fetches it). Not thread-safe; {@link ChainState} holds its lock.
 */
final class CommitGapBuffer {
  // Logged as the chain state: these lines are the block channel's intake, which operators grep under it.
  private static final System.Logger LOG = System.getLogger(ChainState.class.getName());
  private final int limit;
  private final TreeMap<Long, Commit> pending = new TreeMap<>(Long::compareUnsigned);

  CommitGapBuffer(int limit) {
    this.limit = limit;
  }

  /**
   * Takes a commit after a gap (the chain's last block is {@code last}): buffers it, ignores a
   * repeat, refuses it when the buffer is full; each outcome logged (the gap opening at INFO, a
   * refusal at ERROR naming the index, the rest at DEBUG).
   */
  IntakeOutcome offer(Commit commit, long last) {
    long index = commit.globalExecIndex();
    if (contains(index)) {
      LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(index) + " is already buffered, ignored");
      return IntakeOutcome.REPEAT;
    }
    if (isFull()) {
      LOG.log(Level.ERROR, "block channel: commit " + Long.toUnsignedString(index) + " refused: "
          + size() + " commits (the limit) already wait for missing commit " + Long.toUnsignedString(last + 1)
          + "; it must be re-sent or fetched by catch-up");
      return IntakeOutcome.REFUSED;
    }
    boolean opensGap = size() == 0 || Long.compareUnsigned(index, lowest()) < 0;
    add(commit);
    if (opensGap) {
      LOG.log(Level.INFO, "block channel: gap after block " + Long.toUnsignedString(last) + ": commit "
          + Long.toUnsignedString(index) + " waits for commit(s) " + Long.toUnsignedString(last + 1) + ".."
          + Long.toUnsignedString(index - 1) + " (" + size() + "/" + limit() + " buffered)");
    } else {
      LOG.log(Level.DEBUG, () -> "block channel: commit " + Long.toUnsignedString(index) + " buffered behind the gap at "
          + Long.toUnsignedString(last + 1) + " (" + size() + "/" + limit() + ")");
    }
    return IntakeOutcome.BUFFERED;
  }

  int size() {
    return pending.size();
  }

  int limit() {
    return limit;
  }

  boolean contains(long index) {
    return pending.containsKey(index);
  }

  boolean isFull() {
    return pending.size() >= limit;
  }

  /** The lowest buffered index; the buffer must not be empty. */
  long lowest() {
    return pending.firstKey();
  }

  void add(Commit commit) {
    pending.put(commit.globalExecIndex(), commit);
  }

  /** The buffered commits that run on without a gap from {@code next}; they stay buffered. */
  List<Commit> runFrom(long next) {
    List<Commit> run = new ArrayList<>();
    for (long index = next; ; index++) {
      Commit commit = pending.get(index);
      if (commit == null) {
        return run;
      }
      run.add(commit);
    }
  }

  /** Drops every commit at or below {@code last}; returns how many. */
  int dropUpTo(long last) {
    var covered = pending.headMap(last, true);
    int dropped = covered.size();
    covered.clear();
    return dropped;
  }
}
