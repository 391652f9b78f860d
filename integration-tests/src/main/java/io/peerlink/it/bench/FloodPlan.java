package io.peerlink.it.bench;

import java.time.Duration;
import java.util.Map;

/**
 * The sizes of the peer-port flood benchmark for one kind of run. The full and quick runs replay
 * the adversarial findings at their own sizes against the node's default {@code limits.peer_rpc.*};
 * the smoke run shrinks the floods and, so that a small flood still fills the strangers' share of
 * the port, the master's connection limits with them.
 *
 * @param chainBlocks blocks the master holds (fed through its block channel before the floods)
 * @param window how long the honest peer is measured in each phase, the flood running throughout
 * @param honestPace one honest probe per this long (bounded also by {@link #maxProbes})
 * @param maxProbes honest probes per phase at most
 * @param heldAddresses flood (a): source addresses holding connections open
 * @param heldPerAddress flood (a): connections per address
 * @param unreadConnections flood (b): connections pipelining range requests and never reading
 * @param unreadAddresses flood (b): the source addresses they come from
 * @param unreadRequests flood (b): range requests written per connection at most
 * @param readers flood (c): connections reading ranges flat out, one source address each
 * @param releaseWait how long the master is given to give memory back after flood (b) closes (its
 *     periodic collection runs after 30 s idle)
 * @param masterLimits config lines given to the master ({@code key = value}); empty keeps its defaults
 */
record FloodPlan(int chainBlocks, Duration window, Duration honestPace, int maxProbes, int heldAddresses,
    int heldPerAddress, int unreadConnections, int unreadAddresses, int unreadRequests, int readers,
    Duration releaseWait, Map<String, String> masterLimits) {

  /** Blocks asked for by every attacker's range request: the peer port's most per answer is 1,024. */
  static final int RANGE_BLOCKS = 1_000;

  /** The plan for a bench configuration, by its name (full, quick, smoke). */
  static FloodPlan of(BenchConfig config) {
    switch (config.name()) {
      case "smoke":
        // 8 x 8 attackers against 48 - 8 strangers' slots: the port is full, as in the finding.
        return new FloodPlan(1_200, Duration.ofMillis(1_500), Duration.ofMillis(20), 1_000, 8, 8, 32, 4, 64, 4,
            Duration.ofSeconds(3), Map.of("limits.peer_rpc.max_connections", "48",
                "limits.peer_rpc.reserved_for_peers", "8", "limits.peer_rpc.max_connections_per_address", "8"));
      case "quick":
        return new FloodPlan(5_000, Duration.ofSeconds(5), Duration.ofMillis(10), 2_000, 16, 64, 512, 64, 1_024, 32,
            Duration.ofSeconds(45), Map.of());
      default:
        return new FloodPlan(5_000, Duration.ofSeconds(15), Duration.ofMillis(10), 5_000, 16, 64, 512, 64, 1_024, 32,
            Duration.ofSeconds(60), Map.of());
    }
  }

  /** Flood (a)'s connections in all. */
  int heldConnections() {
    return heldAddresses * heldPerAddress;
  }
}
