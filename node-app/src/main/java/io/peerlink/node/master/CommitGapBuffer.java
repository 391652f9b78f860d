package io.peerlink.node.master;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Commits that arrived ahead of a gap, by {@code global_exec_index}, bounded in count. Memory only:
 * a buffered commit is not applied, so losing it in a crash loses nothing promised (the node
 * re-sends or catch-up fetches it). Not thread-safe; {@link ChainState} holds its lock.
 */
final class CommitGapBuffer {
  private final int limit;
  private final TreeMap<Long, Commit> pending = new TreeMap<>(Long::compareUnsigned);

  CommitGapBuffer(int limit) {
    this.limit = limit;
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
