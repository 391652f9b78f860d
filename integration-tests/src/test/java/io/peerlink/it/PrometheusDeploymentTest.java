package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A three-node local deployment with metrics on, scraped by a real Prometheus server of the test's
 * own, and read back through Prometheus's query API: every node is up; the node that catches up
 * is seen behind, then Ready; its catch-up counters match the blocks it moved; {@code promtool check
 * metrics} passes on every node's {@code /metrics}.
 *
 * <p>Node 2 runs as its two roles in two processes (as beside a real Go master). Its node role
 * first asks its master through the master's read-only peer port, which refuses {@code sync_blocks}:
 * the node sees the network ahead and cannot catch up, so it stays behind for as long as the test
 * needs, whatever the machine's speed. It then restarts against the master's full Unix socket,
 * on the same metrics port, and catches up.
 */
@RequiresPrometheus
class PrometheusDeploymentTest {

  private static final Duration STEP = Duration.ofSeconds(90);
  private static final String BEHIND = "peerlink_sync_state{node=\"node2-node\",state=~\"SyncingEpoch|SyncingCommits\"}";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void prometheusSeesEveryNodeUpAndTheCatchUpFromBehindToReady() throws Exception {
    try (Cluster cluster = new Cluster()) {
      int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick(), LoopbackPorts.pick()};
      Map<String, Integer> metrics = new LinkedHashMap<>();
      for (String node : List.of("node0", "node1", "node2-master", "node2-node")) {
        metrics.put(node, LoopbackPorts.pick());
      }
      Path[] configs = new Path[3];
      for (int i = 0; i < 2; i++) {
        configs[i] = cluster.writeConfig(i, ports[i], "127.0.0.1", List.of(), metricsOn(metrics.get("node" + i)));
      }
      String peer0 = "tcp://127.0.0.1:" + ports[0];
      configs[2] = cluster.writeConfig(2, ports[2], "127.0.0.1", List.of(peer0, "tcp://127.0.0.1:" + ports[1]),
          metricsOn(metrics.get("node2-master")));
      String node2 = Files.readString(configs[2]);
      // Later keys win in HOCON: the node role gets its own metrics port, and first a master that refuses writes.
      Path nodeRole = Files.writeString(cluster.dir.resolve("node_2_node.toml"), node2
          + "metrics_port = " + metrics.get("node2-node") + "\n");
      Path readOnly = Files.writeString(cluster.dir.resolve("node_2_read_only.toml"), node2
          + "metrics_port = " + metrics.get("node2-node") + "\n"
          + "executor_receive_socket_path = \"tcp://127.0.0.1:" + ports[2] + "\"\n");

      Map<String, String> targets = new LinkedHashMap<>();
      metrics.forEach((node, port) -> targets.put(node, "127.0.0.1:" + port));
      try (PrometheusServer prometheus = PrometheusServer.start(cluster.dir, targets)) {
        cluster.startNode("node0", List.of(), 0, "--master-only", "--config", configs[0].toString());
        cluster.startNode("node1", List.of(), 1, "--master-only", "--config", configs[1].toString());
        cluster.feed(0, 5, 1, 1234);
        cluster.feed(1, 5, 1, 1000);
        cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(0), 1234, STEP);
        cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(1), 1000, STEP);
        cluster.startNode("node2-master", List.of(), 2, "--master-only", "--config", configs[2].toString());

        // Behind, and held there: its master's peer port refuses sync_blocks.
        NodeProcess held = cluster.startNode("node2-node-held", List.of(), 2, "--node-only", "--config",
            readOnly.toString());
        // Behind is SyncingEpoch here (empty: epoch 0 against the network's 5), or SyncingCommits.
        prometheus.awaitValue("max(" + BEHIND + ")", v -> v == 1, STEP);
        assertEquals(1234.0, prometheus.value("peerlink_sync_network_block{node=\"node2-node\"}"));
        assertEquals(0.0, prometheus.value("sum(peerlink_catchup_blocks_applied_total{node=\"node2-node\"})"),
            "nothing moved while the master refused the blocks");
        prometheus.awaitValue("sum(peerlink_catchup_batches_fetched_total{node=\"node2-node\"})", v -> v >= 1, STEP);
        held.stop(STEP);

        // Against the master's full socket: it catches up and turns Ready.
        cluster.startNode("node2-node", List.of(), 2, "--node-only", "--config", nodeRole.toString());
        prometheus.awaitValue("peerlink_sync_state{node=\"node2-node\",state=\"Ready\"}", v -> v == 1, STEP);
        assertEquals(0.0, prometheus.value("max(" + BEHIND + ")"));
        assertEquals(1.0, prometheus.value("max(max_over_time(" + BEHIND + "[10m]))"),
            "Prometheus kept the behind state it saw");
        prometheus.awaitValue("peerlink_chain_last_block{node=\"node2-master\"}", v -> v == 1234, STEP);

        // The counters match the blocks moved: 1234 in all. The pipelined fetcher spreads batches over
        // every peer that confirmed their ends, so node 1 (at 1000, the same chain) may serve some of
        // blocks 1..1000, never more; only node 0 holds 1001..1234.
        String applied = "sum(peerlink_catchup_blocks_applied_total{node=\"node2-node\"})";
        assertEquals(1234.0, prometheus.awaitValue(applied, v -> v == 1234, STEP));
        String fetched = "peerlink_catchup_blocks_fetched_total{node=\"node2-node\",peer=\"";
        assertEquals(1234.0, prometheus.value("sum(peerlink_catchup_blocks_fetched_total{node=\"node2-node\"})"));
        assertTrue(prometheus.value(fetched + peer0 + "\"}") >= 234, "node 0 alone holds blocks 1001..1234");
        assertEquals(1234.0, prometheus.value("peerlink_chain_blocks{node=\"node2-master\"}"));
        assertEquals(1234.0, prometheus.value("peerlink_block_channel_commits_total{node=\"node0\","
            + "outcome=\"applied\"}"), "node 0 applied every commit fed to it");
        // Awaited: node 0 is scraped on its own schedule, so its last sample may predate the batches.
        prometheus.awaitValue("peerlink_listener_frames_sent_total{node=\"node0\",listener=\"peer_rpc_port\"}",
            v -> v >= 5, STEP);

        for (String node : targets.keySet()) {
          prometheus.awaitValue("up{node=\"" + node + "\"}", v -> v == 1, STEP);
          promtoolCheck(cluster.dir, node, targets.get(node));
        }
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://" + targets.get("node2-node")
            + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      }
    }
  }

  private static Map<String, String> metricsOn(int port) {
    return Map.of("enable_metrics", "true", "metrics_port", Integer.toString(port), "metrics_bind", "\"127.0.0.1\"");
  }

  /** {@code promtool check metrics} on what the node serves at /metrics (its lint rules included). */
  private void promtoolCheck(Path dir, String node, String target) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + target + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), node);
    Path scraped = Files.writeString(dir.resolve(node + ".metrics"), r.body(), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(PrometheusServer.which("promtool").toString(), "check", "metrics")
        .redirectInput(scraped.toFile()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool check metrics did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "promtool check metrics on " + node + "'s /metrics:\n" + out);
  }
}
