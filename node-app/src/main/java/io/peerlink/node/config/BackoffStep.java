package io.peerlink.node.config;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of the peer health backoff: after {@code failures} consecutive failures a peer is
 * skipped for {@code skip}.
 *
 * @param failures consecutive failures that start this step, at least 1
 * @param skip how long the peer is skipped, positive
 */
public record BackoffStep(int failures, Duration skip) {

  /** Validates the values. */
  public BackoffStep {
    Objects.requireNonNull(skip, "skip");
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, got " + failures);
    }
    if (skip.isNegative() || skip.isZero()) {
      throw new IllegalArgumentException("skip must be positive, got " + skip);
    }
  }
}
