package io.peerlink.node.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.discovery.SyncState;
import io.peerlink.discovery.core.discovery.SyncStatus;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The node's sync status as gauges, read at each scrape: {@code peerlink_sync_state{state=...}}
 * is 1 for the current state and 0 for the others, one series per kind of {@link SyncState}
 * (taken from the sealed interface, so a state added there shows up here); the local and network
 * tips, the gap, the peers that answered; ready, which a known fork of the own chain takes back. Before the first check every state is 0 and the numbers
 * are NaN.
 */
final class SyncGauges {

  private SyncGauges() {
  }

  static void bind(MeterRegistry registry, Supplier<Optional<SyncStatus>> current, Supplier<Optional<ChainFork>> fork) {
    for (Class<?> kind : SyncState.class.getPermittedSubclasses()) {
      Gauge.builder("peerlink.sync.state", current,
              c -> c.get().map(s -> s.state().getClass() == kind ? 1.0 : 0.0).orElse(0.0))
          .description("1 for the node's sync state, 0 for the others").tags("state", kind.getSimpleName())
          .strongReference(true).register(registry);
    }
    gauge(registry, current, "peerlink.sync.ready", "1 when the node may take part (its sync state is ready and its"
        + " own chain is not known to fork from the network)", s -> s.ready() && fork.get().isEmpty() ? 1 : 0);
    gauge(registry, current, "peerlink.sync.local.epoch", "The own master's epoch", s -> unsigned(s.localEpoch()));
    gauge(registry, current, "peerlink.sync.local.block", "The own master's last block",
        s -> unsigned(s.localBlock()));
    gauge(registry, current, "peerlink.sync.network.epoch", "The network tip's epoch",
        s -> unsigned(s.networkEpoch()));
    gauge(registry, current, "peerlink.sync.network.block", "The network tip's last block",
        s -> unsigned(s.networkBlock()));
    gauge(registry, current, "peerlink.sync.gap.blocks",
        "Network block minus local block: positive when behind, negative when ahead", s -> s.blockGap());
    gauge(registry, current, "peerlink.sync.peers.answered", "Peers that answered the last check",
        s -> s.peersAnswered());
  }

  private static void gauge(MeterRegistry registry, Supplier<Optional<SyncStatus>> current, String name, String help,
      ToDoubleFunction<SyncStatus> value) {
    Gauge.builder(name, current, c -> c.get().map(value::applyAsDouble).orElse(Double.NaN)).description(help)
        .strongReference(true).register(registry);
  }

  /** An unsigned 64-bit value as a double. */
  static double unsigned(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }
}
