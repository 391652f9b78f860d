package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The seed's {@code CatchupManager::check_sync_status}: one discovery round, then the decision.
 *
 * <p>The rule, with L the local (epoch, block), N the network tip's and T the gap threshold:
 * <ol>
 *   <li>the local master did not answer: {@code Initializing};</li>
 *   <li>fewer peers answered than {@link DiscoveryOptions#minimumPeers()}: not ready; still
 *       {@code Syncing...} when a known tip is ahead, else {@code Initializing};</li>
 *   <li>N's epoch is later: {@code SyncingEpoch};</li>
 *   <li>N's epoch is earlier: {@code Ahead} (ready, logged as a warning; never "syncing" to a lower
 *       tip, which the seed's epoch-inequality rule would do);</li>
 *   <li>same epoch, more than T blocks behind: {@code SyncingCommits};</li>
 *   <li>same epoch, more than T blocks beyond the tip: {@code Ahead};</li>
 *   <li>otherwise {@code Ready}.</li>
 * </ol>
 * When peers are configured and none of them answered, the decision is {@code Isolated}, naming
 * each peer and why (a peer that speaks another protocol, such as a later upstream node's HTTP,
 * gives "no answer in the protocol"). With no peer configured, or peers that answered but no tip
 * chosen (quorum), N is the local state, as in the seed, so the node is Ready unless
 * {@code minimumPeers} says otherwise; the status says {@code isolated} plainly.
 */
public final class SyncChecker {

  private static final Logger LOG = System.getLogger(SyncChecker.class.getName());

  private final PeerDiscovery discovery;

  /** A checker over this discovery, with its options. */
  public SyncChecker(PeerDiscovery discovery) {
    this.discovery = Objects.requireNonNull(discovery, "discovery");
  }

  /** The discovery used. */
  public PeerDiscovery discovery() {
    return discovery;
  }

  /** The options in use (the discovery's). */
  public DiscoveryOptions options() {
    return discovery.options();
  }

  /**
   * Runs one round and decides.
   *
   * @return completes within about one query timeout
   */
  public CompletableFuture<SyncStatus> check() {
    return discovery.discover().thenApply(r -> {
      SyncStatus status = decide(r, discovery.options());
      boolean ahead = status.state() instanceof SyncState.Ahead;
      boolean alone = status.state() instanceof SyncState.Isolated;
      LOG.log(ahead || alone ? Level.WARNING : Level.INFO, "[SYNC] " + status.summary()
          + (ahead ? " - the local node is past every peer's tip; check that the peers are current" : "")
          + (alone ? " - the node runs on its own state; check the peers' addresses and that they speak this"
              + " protocol" : ""));
      return status;
    });
  }

  /** The decision alone, on a finished round. */
  static SyncStatus decide(DiscoveryResult r, DiscoveryOptions options) {
    Optional<MasterStatus> local = r.localStatus();
    Optional<MasterStatus> tip = r.networkTip();
    Optional<Endpoint> bestPeer = r.best().map(PeerOutcome::peer);
    int answered = r.answered();
    boolean isolated = r.isolated();
    if (local.isEmpty()) {
      long ne = tip.map(MasterStatus::epoch).orElse(0L);
      long nb = tip.map(MasterStatus::lastBlockNumber).orElse(0L);
      SyncState state = new SyncState.Initializing("the local master (" + r.local().peer() + ") did not answer: "
          + r.local().reason());
      return new SyncStatus(state, ne, nb, bestPeer, 0, 0, false, 0, false, answered, isolated, r);
    }
    long le = local.get().epoch();
    long lb = local.get().lastBlockNumber();
    long ne = tip.orElseThrow().epoch(); // the local status, when isolated
    long nb = tip.orElseThrow().lastBlockNumber();
    long gap = gap(nb, lb);
    long threshold = options.gapThreshold();
    int epochOrder = Long.compareUnsigned(ne, le);

    SyncState state;
    if (epochOrder > 0) {
      state = new SyncState.SyncingEpoch(ne, le);
    } else if (epochOrder < 0) {
      state = new SyncState.Ahead(ne, nb, le, lb);
    } else if (gap > threshold) {
      state = new SyncState.SyncingCommits(nb, lb);
    } else if (gap < -threshold) {
      state = new SyncState.Ahead(ne, nb, le, lb);
    } else {
      state = new SyncState.Ready();
    }
    if (answered == 0 && !r.peers().isEmpty()) {
      state = new SyncState.Isolated(r.peers().size(), whyNoPeer(r));
    } else if (answered < options.minimumPeers() && state.isReady()) {
      state = new SyncState.Initializing(answered + " of the " + options.minimumPeers()
          + " peer masters required (minimumPeers) answered");
    }
    return new SyncStatus(state, ne, nb, bestPeer, le, lb, epochOrder == 0, gap, state.isReady(), answered,
        isolated, r);
  }

  private static String whyNoPeer(DiscoveryResult r) {
    StringBuilder sb = new StringBuilder();
    for (PeerOutcome o : r.peers()) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(o.peer()).append(" (").append(o.reason()).append(')');
    }
    return sb.toString();
  }

  /** network - local as a signed count, saturating: unsigned values may differ by more than 2^63. */
  static long gap(long network, long local) {
    if (Long.compareUnsigned(network, local) >= 0) {
      long d = network - local;
      return d < 0 ? Long.MAX_VALUE : d;
    }
    long d = local - network;
    return d < 0 ? -Long.MAX_VALUE : -d;
  }
}
