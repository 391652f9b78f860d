package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed's "all nodes on same machine" deployment, as processes: two masters run ahead at
 * epoch 5, a third node starts empty, finds it is behind, catches up by itself, and turns ready.
 * Peers are named both ways the seed allows: a Unix socket path and {@code tcp://127.0.0.1:port}.
 */
class LocalDeploymentTest {

  private static final Duration STEP = Duration.ofSeconds(90);

  @Test
  void aNodeBehindDiscoversItsPeersCatchesUpAndTurnsReady() throws Exception {
    try (Cluster cluster = new Cluster()) {
      int[] ports = {Cluster.freePort(), Cluster.freePort(), Cluster.freePort()};
      Path[] configs = new Path[3];
      configs[0] = cluster.writeConfig(0, ports[0], "127.0.0.1", List.of(), Map.of());
      configs[1] = cluster.writeConfig(1, ports[1], "127.0.0.1", List.of(), Map.of());
      String node0Peer = cluster.receiveSocket(0).toString(); // the seed's bare-path form
      String node1Peer = "tcp://127.0.0.1:" + ports[1];
      configs[2] = cluster.writeConfig(2, ports[2], "127.0.0.1", List.of(node0Peer, node1Peer, cluster.receiveSocket(2).toString()), Map.of());

      // Nodes 0 and 1 run ahead: masters only, fed commits on their block channels.
      cluster.startNode("node0", List.of(), 0, "--master-only", "--config", configs[0].toString());
      cluster.startNode("node1", List.of(), 1, "--master-only", "--config", configs[1].toString());
      feed(cluster, 0, 1234);
      feed(cluster, 1, 1000);
      cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(0), 1234, STEP);
      cluster.awaitBlock(List.of(), "tcp://127.0.0.1:" + ports[1], 1000, STEP);

      // Node 2's master starts empty; one check finds it behind.
      NodeProcess master2 = cluster.startNode("node2-master", List.of(), 2, "--master-only", "--config", configs[2].toString());
      NodeProcess.Result behind = NodeProcess.run("check-sync-behind", STEP, "check-sync", "--config", configs[2].toString());
      assertEquals(3, behind.exitCode(), "behind -> exit 3\n" + behind.output());
      assertTrue(behind.has("\\[PEER EPOCH\\] Querying 2 peer"), "own master skipped, two peers queried:\n" + behind.output());
      String node0 = "unix://" + cluster.receiveSocket(0);
      assertTrue(behind.has("\\[PEER EPOCH\\] Peer master \\(" + java.util.regex.Pattern.quote(node0) + "\\): epoch=5, block=1234"),
          behind.output());
      assertTrue(behind.has("\\[PEER EPOCH\\] Peer master \\(" + java.util.regex.Pattern.quote(node1Peer) + "\\): epoch=5, block=1000"),
          behind.output());
      assertTrue(behind.has("New best peer candidate: epoch=5 block=1234 from " + java.util.regex.Pattern.quote(node0)),
          behind.output());

      // The node role catches up by itself; the next check is ready.
      master2.stop(STEP);
      cluster.startNode("node2", List.of(), 2, "--config", configs[2].toString());
      cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(2), 1234, STEP);
      NodeProcess.Result ready = NodeProcess.run("check-sync-ready", STEP, "check-sync", "--config", configs[2].toString());
      assertEquals(0, ready.exitCode(), "caught up -> exit 0\n" + ready.output());
    }
  }

  static void feed(Cluster cluster, int node, long to) throws Exception {
    NodeProcess.Result sent = NodeProcess.run("send-blocks-" + node, STEP, "send-blocks",
        "unix://" + cluster.sendSocket(node), "--epoch", "5", "--from", "1", "--to", Long.toString(to));
    assertEquals(0, sent.exitCode(), sent.output());
  }
}
