package io.peerlink.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.peerlink.discovery.core.catchup.CatchUpListener;
import io.peerlink.discovery.core.catchup.CatchUpResult;
import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.discovery.DiscoveryListener;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Discovery rounds, each peer query's duration by peer and outcome, peers skipped by the health
 * backoff, peers banned for contradicting a confirmed block hash, catch-up batches and blocks
 * by peer, and catch-up runs by how they ended ({@link #onCatchUpEnded}), with
 * {@code peerlink_catchup_local_forked} 1 while the own chain is known to fork (the node role's
 * fork, found by catch-up or by the check of its own tip). Give it
 * to {@code PeerDiscovery.addListener} and {@code CatchUp.addListener}; made by
 * {@link NodeMetrics#bindDiscovery}.
 *
 * <p>The {@code peer} label is a configured peer's endpoint as the node prints it, or
 * {@code local} for the node's own master; an endpoint that is neither (it cannot come from
 * discovery-core, which only asks configured peers) is counted as {@code other}, so no remote
 * input can add a series.
 */
public final class DiscoveryMeters implements DiscoveryListener, CatchUpListener {

  /** Bucket bounds of the duration histograms: a loopback answer to a dead peer's timeout. */
  static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Map<Endpoint, String> labels = new LinkedHashMap<>();
  private final Timer rounds;

  DiscoveryMeters(MeterRegistry registry, Collection<Endpoint> peers, Endpoint localMaster,
      Supplier<Optional<ChainFork>> fork) {
    this.registry = registry;
    for (Endpoint p : peers) {
      labels.put(p, p.toString());
    }
    labels.put(localMaster, "local");
    rounds = Timer.builder("peerlink.discovery.round").description("Discovery rounds and how long each took")
        .serviceLevelObjectives(BUCKETS).register(registry);
    for (CatchUpResult.Outcome o : CatchUpResult.Outcome.values()) {
      runs(o);
    }
    Gauge.builder("peerlink.catchup.local.forked", fork, f -> f.get().isPresent() ? 1 : 0)
        .description("1 while the own master's chain is known to fork from the one f+1 peers confirm (found by"
            + " catch-up or the own-tip check)").strongReference(true).register(registry);
    // Every configured peer's series exist from the start, at zero, so rates and increases work.
    for (Endpoint p : peers) {
      String peer = labels.get(p);
      skipped(peer);
      bans(peer);
      for (String what : new String[] {"fetched", "applied"}) {
        batches(what, peer);
        blocks(what, peer);
      }
    }
  }

  private String label(Endpoint e) {
    return labels.getOrDefault(e, "other");
  }

  @Override
  public void onRound(DiscoveryResult r) {
    rounds.record(r.elapsed());
    for (PeerOutcome o : r.peers()) {
      if (o.kind() == PeerOutcome.Kind.SKIPPED_UNHEALTHY) {
        skipped(label(o.peer())).increment();
      } else if (o.kind() != PeerOutcome.Kind.BANNED) { // a banned peer is not asked: no query to time
        query(label(o.peer()), o.kind()).record(o.latency());
      }
    }
    query("local", r.local().kind()).record(r.local().latency());
  }

  private Timer query(String peer, PeerOutcome.Kind kind) {
    return Timer.builder("peerlink.peer.query").description("Status queries to each master, by peer and outcome")
        .tags("peer", peer, "outcome", outcome(kind)).serviceLevelObjectives(BUCKETS).register(registry);
  }

  private Counter skipped(String peer) {
    return Counter.builder("peerlink.peer.skipped")
        .description("Status queries not sent: the peer's health backoff was in force").tags("peer", peer)
        .register(registry);
  }

  @Override
  public void onBatchFetched(Endpoint peer, int blocks) {
    batches("fetched", label(peer)).increment();
    blocks("fetched", label(peer)).increment(blocks);
  }

  @Override
  public void onBatchApplied(Endpoint peer, long blocks) {
    batches("applied", label(peer)).increment();
    blocks("applied", label(peer)).increment(blocks);
  }

  @Override
  public void onBatchFailed(Endpoint peer, PeerOutcome.Kind kind) {
    Counter.builder("peerlink.catchup.batches.failed")
        .description("Catch-up batches a peer failed to serve, by peer and how it failed")
        .tags("peer", label(peer), "outcome", outcome(kind)).register(registry).increment();
  }

  /** A catch-up run ended: counted by its outcome. */
  public void onCatchUpEnded(CatchUpResult result) {
    runs(result.outcome()).increment();
  }

  private Counter runs(CatchUpResult.Outcome outcome) {
    return Counter.builder("peerlink.catchup.runs").description("Catch-up runs, by how they ended")
        .tags("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry);
  }

  @Override
  public void onPeerBanned(PeerBan ban) {
    bans(label(ban.peer())).increment();
  }

  private Counter bans(String peer) {
    return Counter.builder("peerlink.peer.bans")
        .description("Peers banned for returning or serving another hash than the one f+1 peers confirmed")
        .tags("peer", peer).register(registry);
  }

  private Counter batches(String what, String peer) {
    return Counter.builder("peerlink.catchup.batches." + what)
        .description("Catch-up batches " + what + ("fetched".equals(what) ? " (verified)" : " by the own master")
            + ", by peer").tags("peer", peer).register(registry);
  }

  private Counter blocks(String what, String peer) {
    return Counter.builder("peerlink.catchup.blocks." + what)
        .description("Catch-up blocks " + what + ("fetched".equals(what) ? " (verified)" : " by the own master")
            + ", by peer").tags("peer", peer).register(registry);
  }

  /** {@code timed_out} for {@code TIMED_OUT}: a label value in Prometheus's style. */
  static String outcome(PeerOutcome.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
