package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.client.MasterStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One discovery round: every peer's outcome, the local master's, and the tip the
 * {@link SelectionPolicy} chose. When no tip could be chosen the node is {@linkplain #isolated()
 * isolated} and, as in the seed, the local master's state stands in for the network's. Immutable.
 */
public final class DiscoveryResult {

  private final List<PeerOutcome> peers;
  private final PeerOutcome local;
  private final Optional<PeerOutcome> best;
  private final SelectionPolicy policy;
  private final int requiredAnswers;
  private final Duration elapsed;

  DiscoveryResult(List<PeerOutcome> peers, PeerOutcome local, Optional<PeerOutcome> best, SelectionPolicy policy,
      int requiredAnswers, Duration elapsed) {
    this.peers = List.copyOf(peers);
    this.local = Objects.requireNonNull(local, "local");
    this.best = Objects.requireNonNull(best, "best");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.requiredAnswers = requiredAnswers;
    this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Every configured peer's outcome (the node's own master excluded), in configuration order. */
  public List<PeerOutcome> peers() {
    return peers;
  }

  /** The local master's outcome. */
  public PeerOutcome local() {
    return local;
  }

  /** The local master's status, when it answered. */
  public Optional<MasterStatus> localStatus() {
    return local.status();
  }

  /** The peer the policy chose as the network tip; empty when isolated. */
  public Optional<PeerOutcome> best() {
    return best;
  }

  /** The peer with the highest claim, whatever the policy; empty when no peer answered. */
  public Optional<PeerOutcome> highest() {
    return SelectionPolicy.highest().select(peers, peers.size());
  }

  /** The policy used. */
  public SelectionPolicy policy() {
    return policy;
  }

  /** How many answering peers the policy needed (f+1; 1 for highest). */
  public int requiredAnswers() {
    return requiredAnswers;
  }

  /** How many peers answered. */
  public int answered() {
    return (int) peers.stream().filter(PeerOutcome::answered).count();
  }

  /** Whether no tip could be chosen from the peers: none answered, or fewer than the policy needs. */
  public boolean isolated() {
    return best.isEmpty();
  }

  /** The network tip: the chosen peer's status, or the local master's when isolated (the seed's fallback). */
  public Optional<MasterStatus> networkTip() {
    return best.isPresent() ? best.get().status() : local.status();
  }

  /** From the start of the round to its end; about one query timeout at most. */
  public Duration elapsed() {
    return elapsed;
  }

  @Override
  public String toString() {
    return "DiscoveryResult{best=" + best.map(PeerOutcome::toString).orElse("none (isolated)") + ", local=" + local
        + ", peers=" + peers + ", policy=" + policy + ", elapsed=" + elapsed.toMillis() + "ms}";
  }
}
