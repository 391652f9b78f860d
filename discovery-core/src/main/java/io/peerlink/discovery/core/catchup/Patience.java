package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A catch-up run's patience: how long since a block was last applied, and a race of each step
 * against {@link DiscoveryOptions#noProgressTimeout()}, so that a run never hangs on a peer that
 * stops answering.
 */
final class Patience {

  /** A step lost the race: nothing was applied for the no-progress timeout. */
  static final class Stalled extends Exception {
    private static final long serialVersionUID = 1L;

    Stalled() {
      super(null, null, false, false);
    }
  }

  private final Duration timeout;
  private long lastProgressNanos = System.nanoTime();

  Patience(Duration timeout) {
    this.timeout = timeout;
  }

  /** A block was applied: the clock starts again. */
  void progressed() {
    lastProgressNanos = System.nanoTime();
  }

  /** Nanoseconds since the last progress (or the start). */
  long waited() {
    return System.nanoTime() - lastProgressNanos;
  }

  /** {@code step}'s outcome, or {@link Stalled} when the no-progress timeout passes first. */
  <T> CompletableFuture<T> guard(CompletableFuture<T> step) {
    long left = timeout.toNanos() - waited();
    CompletableFuture<T> copy = new CompletableFuture<>();
    if (left <= 0) {
      copy.completeExceptionally(new Stalled());
      return copy;
    }
    step.whenComplete((v, e) -> {
      if (e != null) {
        copy.completeExceptionally(e);
      } else {
        copy.complete(v);
      }
    });
    return copy.orTimeout(left, TimeUnit.NANOSECONDS).exceptionallyCompose(e ->
        PeerOutcome.unwrap(e) instanceof TimeoutException
            ? CompletableFuture.failedFuture(new Stalled())
            : CompletableFuture.failedFuture(e));
  }
}
