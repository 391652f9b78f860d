package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.testing.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The seed document's scenario, shared by the one-host and the three-host deployments: nodes 0
 * and 1 run ahead at epoch 5 (blocks 1234 and 1000), node 2 starts empty, a check finds it
 * behind with the seed's log lines, its node role catches up, and the next check is ready.
 */
final class SeedScenario {

  static final Duration STEP = Duration.ofSeconds(90);

  final Cluster cluster;
  final IntFunction<List<String>> host; // command prefix that runs a program on node i's host
  final Path[] configs = new Path[3];
  final List<String> node2Peers;

  /**
   * @param peerOf how node 2 names node i's master (a socket path, tcp://...)
   * @param extra more settings for node 2 (e.g. a shorter discovery timeout)
   */
  SeedScenario(Cluster cluster, IntFunction<List<String>> host, int[] ports, String bind, IntFunction<String> peerOf,
      Map<String, String> extra) throws Exception {
    this.cluster = cluster;
    this.host = host;
    configs[0] = cluster.writeConfig(0, ports[0], bind, List.of(), Map.of());
    configs[1] = cluster.writeConfig(1, ports[1], bind, List.of(), Map.of());
    node2Peers = List.of(peerOf.apply(0), peerOf.apply(1));
    // Node 2 also lists its own master, as a seed config copied across nodes does: it is skipped.
    configs[2] = cluster.writeConfig(2, ports[2], bind,
        List.of(node2Peers.get(0), node2Peers.get(1), cluster.receiveSocket(2).toString()), extra);
  }

  String localMaster(int node) {
    return "unix://" + cluster.receiveSocket(node);
  }

  /** Nodes 0 and 1, masters only, fed commits up to 1234 and 1000; node 2's master, empty. */
  NodeProcess startAheadAndBehind() throws Exception {
    cluster.startNode("node0", host.apply(0), 0, "--master-only", "--config", configs[0].toString());
    cluster.startNode("node1", host.apply(1), 1, "--master-only", "--config", configs[1].toString());
    feed(0, 1234);
    feed(1, 1000);
    cluster.awaitBlock(host.apply(0), localMaster(0), 1234, STEP);
    cluster.awaitBlock(host.apply(1), localMaster(1), 1000, STEP);
    return cluster.startNode("node2-master", host.apply(2), 2, "--master-only", "--config", configs[2].toString());
  }

  /** One check on node 2; returns what it printed. */
  NodeProcess.Result checkSync(String name) throws Exception {
    return NodeProcess.run(name, STEP, host.apply(2), List.of("check-sync", "--config", configs[2].toString()));
  }

  /** The first check: behind, with the seed's log lines naming node 0 as the best peer. */
  void assertBehind(NodeProcess.Result behind) {
    assertEquals(3, behind.exitCode(), "behind -> exit 3\n" + behind.output());
    assertTrue(behind.has("\\[PEER EPOCH\\] Querying 2 peer"), "own master skipped, two peers queried:\n" + behind.output());
    String node0 = Pattern.quote(canonical(node2Peers.get(0)));
    assertTrue(behind.has("\\[PEER EPOCH\\] Peer master \\(" + node0 + "\\): epoch=5, block=1234"), behind.output());
    assertTrue(behind.has("\\[PEER EPOCH\\] Peer master \\(" + Pattern.quote(canonical(node2Peers.get(1)))
        + "\\): epoch=5, block=1000"), behind.output());
    assertTrue(behind.has("New best peer candidate: epoch=5 block=1234 from " + node0), behind.output());
  }

  /** Restarts node 2 with both roles; it catches up by itself and the next check is ready. */
  NodeProcess catchUp(NodeProcess master2) throws Exception {
    master2.stop(STEP);
    NodeProcess node2 = cluster.startNode("node2", host.apply(2), 2, "--config", configs[2].toString());
    cluster.awaitBlock(host.apply(2), localMaster(2), 1234, STEP);
    NodeProcess.Result ready = checkSync("check-sync-ready");
    assertEquals(0, ready.exitCode(), "caught up -> exit 0\n" + ready.output());
    assertTrue(ready.has("\\[SYNC\\] Ready"), ready.output());
    return node2;
  }

  private void feed(int node, long to) throws Exception {
    NodeProcess.Result sent = NodeProcess.run("send-blocks-" + node, STEP, host.apply(node), List.of("send-blocks",
        "unix://" + cluster.sendSocket(node), "--epoch", "5", "--from", "1", "--to", Long.toString(to)));
    assertEquals(0, sent.exitCode(), sent.output());
  }

  /** How the node prints an endpoint: a bare path becomes unix:///path. */
  static String canonical(String written) {
    return written.startsWith("/") ? "unix://" + written : written;
  }
}
