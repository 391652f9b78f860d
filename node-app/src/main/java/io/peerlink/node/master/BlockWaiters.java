package io.peerlink.node.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The futures of {@code wait_for_sync_to_block} (request 12): each completes with the last block
 * once the chain holds its target. A future the caller completes first (its timeout) is dropped.
 */
final class BlockWaiters {

  private final TreeMap<Long, List<CompletableFuture<Long>>> waiting = new TreeMap<>(Long::compareUnsigned);
  private final LongSupplier lastBlock;

  /** @param lastBlock the chain's last block, read under this object's monitor */
  BlockWaiters(LongSupplier lastBlock) {
    this.lastBlock = lastBlock;
  }

  /** A future of the last block once it reaches {@code target}; complete at once when it has. */
  synchronized CompletableFuture<Long> await(long target) {
    long last = lastBlock.getAsLong();
    if (Long.compareUnsigned(last, target) >= 0) {
      return CompletableFuture.completedFuture(last);
    }
    CompletableFuture<Long> f = new CompletableFuture<>();
    waiting.computeIfAbsent(target, t -> new ArrayList<>()).add(f);
    f.whenComplete((v, e) -> {
      if (e != null) {
        forget(target, f);
      }
    });
    return f;
  }

  private synchronized void forget(long target, CompletableFuture<Long> f) {
    List<CompletableFuture<Long>> list = waiting.get(target);
    if (list != null && list.remove(f) && list.isEmpty()) {
      waiting.remove(target);
    }
  }

  /** The chain now holds blocks up to {@code last}: completes every waiter at or below it. */
  void reached(long last) {
    List<CompletableFuture<Long>> done = new ArrayList<>();
    synchronized (this) {
      Map<Long, List<CompletableFuture<Long>>> head = waiting.headMap(last, true);
      head.values().forEach(done::addAll);
      head.clear();
    }
    done.forEach(f -> f.complete(last)); // outside the monitor: completions send answers
  }

  /** How many wait. */
  synchronized int size() {
    return waiting.values().stream().mapToInt(List::size).sum();
  }

  /** Fails every waiter: the chain is closing. */
  void closeAll(String why) {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    synchronized (this) {
      waiting.values().forEach(all::addAll);
      waiting.clear();
    }
    all.forEach(f -> f.completeExceptionally(new IllegalStateException(why)));
  }
}
