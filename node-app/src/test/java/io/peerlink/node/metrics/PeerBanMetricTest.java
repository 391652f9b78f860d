package io.peerlink.node.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.discovery.PeerBans;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A ban reaches /metrics as peerlink_peer_bans_total, by the configured peer's label, from zero. */
class PeerBanMetricTest {

  @Test
  void aBanIsCountedByPeer() {
    NodeMetrics metrics = new NodeMetrics();
    Endpoint liar = Endpoint.parse("tcp://127.0.0.1:19201");
    Endpoint honest = Endpoint.parse("tcp://127.0.0.1:19202");
    DiscoveryMeters meters = metrics.bindDiscovery(List.of(liar, honest), Endpoint.parse("unix:///tmp/m.sock"),
        Optional::empty, Optional::empty);
    String before = metrics.scrape(Exposition.PROMETHEUS);
    assertTrue(before.contains("peerlink_peer_bans_total{peer=\"tcp://127.0.0.1:19201\"} 0.0"), before);

    new PeerBans(Duration.ofHours(1)).ban(liar, 2000, new byte[32], new byte[] {1}, "returned another hash")
        .ifPresent(meters::onPeerBanned);

    String after = metrics.scrape(Exposition.PROMETHEUS);
    assertTrue(after.contains("peerlink_peer_bans_total{peer=\"tcp://127.0.0.1:19201\"} 1.0"), after);
    assertTrue(after.contains("peerlink_peer_bans_total{peer=\"tcp://127.0.0.1:19202\"} 0.0"), after);
  }
}
