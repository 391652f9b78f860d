package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.catchup.CatchUp;

/**
 * Told by {@link PeerDiscovery} after each round it runs (scheduled checks, checks made by
 * {@link CatchUp}, one-off checks alike), with every peer's outcome and latency: what an
 * application needs to count rounds and measure each peer without discovery-core knowing about
 * metrics.
 */
@FunctionalInterface
public interface DiscoveryListener {

  /**
   * A round finished. Called on the thread that completed the round (a transport or timer thread),
   * before the round's future completes: return quickly. An exception is logged and affects neither
   * the round nor other listeners.
   *
   * @param result the round: each peer's outcome (skipped peers as
   *     {@link PeerOutcome.Kind#SKIPPED_UNHEALTHY}), the local master's, its duration
   */
  void onRound(DiscoveryResult result);
}
