package io.peerlink.discovery.core.discovery;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of {@link PeerHealth}'s circuit breaker: once a peer has failed {@code failures} times
 * in a row, it is skipped for {@code skipFor} after each further failure, until a higher step
 * applies or an answer resets the count.
 *
 * @param failures consecutive failures that start this step, at least 1
 * @param skipFor how long the peer is skipped, positive
 */
public record BackoffStep(int failures, Duration skipFor) {

  /** Validates the values, naming the one that is wrong. */
  public BackoffStep {
    Objects.requireNonNull(skipFor, "skipFor");
    if (failures < 1) {
      throw new IllegalArgumentException("backoff step failures must be at least 1, got " + failures);
    }
    if (skipFor.isNegative() || skipFor.isZero()) {
      throw new IllegalArgumentException("backoff step skipFor must be positive, got " + skipFor
          + " (for " + failures + " failures)");
    }
  }

  /** Shorthand: {@code of(3, Duration.ofSeconds(10))}. */
  public static BackoffStep of(int failures, Duration skipFor) {
    return new BackoffStep(failures, skipFor);
  }

  @Override
  public String toString() {
    return failures + " failures -> " + skipFor.toMillis() + " ms";
  }
}
