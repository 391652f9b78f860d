package io.peerlink.node.config;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The node role's discovery settings (the {@code discovery} block of the config).
 *
 * @param timeout how long one status query to one peer may take
 * @param interval how often the sync status is re-checked
 * @param threshold how many blocks behind the tip still count as Ready
 * @param policy how the network tip is chosen
 * @param quorumF f for {@link SelectionPolicy#QUORUM}; empty for (n-1)/3 of the configured peers
 * @param minPeers how many peers must answer for the node to count as Ready; 0 keeps the seed's
 *     fallback to the local master
 */
public record DiscoverySettings(Duration timeout, Duration interval, long threshold, SelectionPolicy policy,
    OptionalInt quorumF, int minPeers) {

  /** Validates the values. */
  public DiscoverySettings {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(quorumF, "quorumF");
    if (timeout.isNegative() || timeout.isZero() || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("timeout and interval must be positive");
    }
    if (threshold < 0 || minPeers < 0 || (quorumF.isPresent() && quorumF.getAsInt() < 0)) {
      throw new IllegalArgumentException("threshold, minPeers and quorumF must not be negative");
    }
  }
}
