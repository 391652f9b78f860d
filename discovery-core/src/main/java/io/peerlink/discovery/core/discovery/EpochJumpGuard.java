package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Under {@code highest}, where one peer's answer can be the tip: refuses an answer whose epoch is
 * more than {@link DiscoveryOptions#maxEpochJump()} above the local master's. Such a claim would
 * move the master for good (epochs never go back), and a real network moves one epoch at a time.
 * The refused answer becomes a {@link PeerOutcome.Kind#CLAIM_REFUSED} failure, so it counts
 * neither as the tip nor as an answer, and against the peer's health. Each peer is named at
 * WARNING when its claim is first refused; while it keeps the claim, the round's summary line
 * only counts it. Thread-safe.
 */
final class EpochJumpGuard {
  private final long maxJump;
  /** Peers whose current run of refused claims was already logged. */
  private final Set<Endpoint> named = ConcurrentHashMap.newKeySet();

  EpochJumpGuard(long maxJump) {
    this.maxJump = maxJump;
  }

  /**
   * The round's outcomes with every claim too far above the local epoch refused; unchanged when
   * the local master did not answer (there is nothing to measure a jump from, and no decision
   * moves it then).
   */
  List<PeerOutcome> apply(List<PeerOutcome> outcomes, Optional<MasterStatus> local, PeerHealth health,
      RoundLog roundLog) {
    if (local.isEmpty()) {
      return outcomes;
    }
    long localEpoch = local.get().epoch();
    long ceiling = localEpoch + maxJump;
    if (Long.compareUnsigned(ceiling, localEpoch) < 0) {
      ceiling = -1L; // saturates at 2^64-1
    }
    List<PeerOutcome> out = new ArrayList<>(outcomes.size());
    for (PeerOutcome o : outcomes) {
      Optional<MasterStatus> s = o.status();
      if (s.isEmpty() || Long.compareUnsigned(s.get().epoch(), ceiling) <= 0) {
        if (s.isPresent()) {
          named.remove(o.peer());
        }
        out.add(o);
        continue;
      }
      String reason = "claim refused: epoch " + Long.toUnsignedString(s.get().epoch()) + " is more than "
          + "discovery.max_epoch_jump (" + maxJump + ") above the local epoch " + Long.toUnsignedString(localEpoch)
          + "; its answer does not count as the tip";
      health.recordFailure(o.peer(), reason);
      roundLog.claimRefused(o.peer(), reason, named.add(o.peer()));
      out.add(PeerOutcome.failed(o.peer(), PeerOutcome.Kind.CLAIM_REFUSED, reason, o.latency()));
    }
    return out;
  }
}
