package io.peerlink.discovery.core.discovery;

import io.peerlink.transport.api.Endpoint;
import java.util.Objects;
import java.util.Optional;

/**
 * The seed's {@code check_sync_status} answer: where the network is, where the local node is, and
 * what follows. Epochs and blocks are unsigned 64-bit values carried in {@code long}.
 *
 * @param state what the node should do
 * @param networkEpoch the tip's epoch (the local one when isolated: the seed's fallback)
 * @param networkBlock the tip's last block (the local one when isolated)
 * @param bestPeer the peer the tip came from; empty when isolated
 * @param localEpoch the local master's epoch (0 when it did not answer)
 * @param localBlock the local master's last block (0 when it did not answer)
 * @param epochsMatch whether the local epoch equals the network's
 * @param blockGap network block minus local block: positive when behind, negative when ahead;
 *     saturates at +-{@link Long#MAX_VALUE}
 * @param ready whether the node may take part: Ready or Ahead
 * @param peersAnswered how many peers answered this round
 * @param isolated no network tip could be chosen (no peer answered, or fewer than the selection
 *     policy needs); the local state stood in for it
 * @param discovery the round this status came from, with every peer's outcome
 */
public record SyncStatus(SyncState state, long networkEpoch, long networkBlock, Optional<Endpoint> bestPeer,
    long localEpoch, long localBlock, boolean epochsMatch, long blockGap, boolean ready, int peersAnswered,
    boolean isolated, DiscoveryResult discovery) {

  /** Checks that nothing is null and that {@code ready} agrees with the state. */
  public SyncStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(bestPeer, "bestPeer");
    Objects.requireNonNull(discovery, "discovery");
    if (ready != state.isReady()) {
      throw new IllegalArgumentException("ready=" + ready + " contradicts state " + state);
    }
  }

  /** This status with another state (and the readiness that goes with it). */
  SyncStatus withState(SyncState newState) {
    return new SyncStatus(newState, networkEpoch, networkBlock, bestPeer, localEpoch, localBlock, epochsMatch,
        blockGap, newState.isReady(), peersAnswered, isolated, discovery);
  }

  /** One line for logs. */
  public String summary() {
    return state + ": network epoch=" + Long.toUnsignedString(networkEpoch) + " block="
        + Long.toUnsignedString(networkBlock)
        + (isolated ? " (isolated: local state)" : " from " + bestPeer.map(Endpoint::toString).orElse("?"))
        + ", local epoch=" + Long.toUnsignedString(localEpoch) + " block=" + Long.toUnsignedString(localBlock)
        + ", gap=" + blockGap + ", peers answered " + peersAnswered + "/" + discovery.peers().size()
        + (ready ? ", ready" : ", not ready");
  }

  @Override
  public String toString() {
    return "SyncStatus{" + summary() + "}";
  }
}
