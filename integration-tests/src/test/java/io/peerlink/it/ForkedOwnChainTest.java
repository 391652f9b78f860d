package io.peerlink.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On the packaged node: three honest masters hold blocks 1..5 of epoch 4 and 6..60 of epoch 5;
 * the node's own master was fed blocks 1..30 all of epoch 4, so its chain is theirs up to block 5
 * and its own from block 6. The node must say its own chain forks after block 5, once, with what
 * to do, blame none of its peers, take none of their blocks, and not be Ready. Then the repair
 * it names: stopped, its store rolled back to block 5 with {@code peerlink store rollback}, and
 * started again, the node catches up to the peers' chain and is Ready.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // ClusterMasters opens its cluster before all, closes it after
class ForkedOwnChainTest {

  private static final Duration STEP = Duration.ofSeconds(60);

  @RegisterExtension
  final ClusterMasters masters = new ClusterMasters();

  private NodeProcess feed(Cluster cluster, int node, long epoch, long from, long to) throws Exception {
    return cluster.start("feed-" + node + "-" + from, List.of(), "send-blocks", "unix://" + cluster.sendSocket(node),
        "--epoch", Long.toString(epoch), "--from", Long.toString(from), "--to", Long.toString(to));
  }

  private static void ok(NodeProcess p) throws Exception {
    assertEquals(0, p.waitFor(STEP), p.output());
  }

  @Test
  void aNodeWhoseOwnMasterWasFedAnotherChainSaysWhereItForksAndIsNotReady() throws Exception {
    Cluster cluster = masters.cluster();
    int[] ports = LoopbackPorts.pick(4);
    for (int node = 0; node < ports.length; node++) {
      Path config = cluster.writeConfig(node, ports[node], "127.0.0.1", List.of(), Map.of());
      cluster.startNode("master-" + node, List.of(), node, "--master-only", "--config", config.toString());
    }
    List<NodeProcess> feeds = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      feeds.add(feed(cluster, node, 4, 1, 5));
    }
    feeds.add(feed(cluster, 3, 4, 1, 30)); // the same blocks 1..5; from 6 on, epoch 4 where the others have 5
    for (NodeProcess f : feeds) {
      ok(f);
    }
    feeds.clear();
    for (int node = 0; node < 3; node++) {
      feeds.add(feed(cluster, node, 5, 6, 60));
    }
    for (NodeProcess f : feeds) {
      ok(f);
    }
    try (MasterClient mine = masters.client(3); MasterClient honest = masters.client(0)) {
      ClusterMasters.assertSameBlocks(mine, honest, 1, 5);
      assertFalse(Arrays.equals(mine.blocksRange(6, 6).get(10, TimeUnit.SECONDS).get(0).blockHash(),
          honest.blocksRange(6, 6).get(10, TimeUnit.SECONDS).get(0).blockHash()), "block 6 differs");
    }
    cluster.process("master-3").stop(STEP);

    List<String> peers = List.of("tcp://127.0.0.1:" + ports[0], "tcp://127.0.0.1:" + ports[1],
        "tcp://127.0.0.1:" + ports[2]);
    Path config = cluster.writeConfig(3, ports[3], "127.0.0.1", peers, Map.of("discovery.timeout", "2s",
        "discovery.interval", "1s", "enable_metrics", "true", "metrics_port", "0"));
    NodeProcess node = cluster.startNode("forked", List.of(), 3, "--config", config.toString());

    String line = node.awaitLine("\\[CATCH-UP\\] LOCAL_FORKED", STEP);
    for (String part : List.of("its block 30 has hash", "The chains part after block 5", "block 6 differs",
        "roll the master's store back to block 5", "peerlink store rollback --config <its config> --to-block 5 --yes")) {
      assertTrue(line.contains(part), "'" + part + "' in " + line);
    }
    peers.forEach(p -> assertTrue(line.contains(p), p + " in " + line));

    String url = metricsUrl(node);
    await("three catch-ups ended LOCAL_FORKED").atMost(STEP).pollInterval(Duration.ofMillis(200))
        .until(() -> sample(get(url + "/metrics"), "peerlink_catchup_runs_total{outcome=\"local_forked\"}") >= 3);
    String metrics = get(url + "/metrics");
    assertEquals(1.0, sample(metrics, "peerlink_catchup_local_forked"), metrics);
    assertEquals(0.0, sample(metrics, "peerlink_sync_ready"), metrics);
    for (String p : peers) {
      assertEquals(0.0, sample(metrics, "peerlink_peer_bans_total{peer=\"" + p + "\"}"), metrics);
    }
    assertEquals(1, node.matching("\\[CATCH-UP\\] LOCAL_FORKED"), "said once, though found every interval");
    assertEquals(0, node.matching("failed to serve blocks"), node.output());
    assertEquals(0, node.matching("node 3: Ready"), node.output());
    assertTrue(get(url + "/health/ready").contains("not ready"));
    try (MasterClient mine = masters.client(3)) {
      assertEquals(30L, (long) mine.lastBlockNumber().get(10, TimeUnit.SECONDS), "nothing fetched onto it");
    }

    // The repair the line names: stop, roll back to the fork point, start again; catch-up does the rest.
    node.stop(STEP);
    NodeProcess.Result rolledBack = NodeProcess.run("rollback", STEP, "store", "rollback", "--config",
        config.toString(), "--to-block", "5", "--yes");
    assertEquals(0, rolledBack.exitCode(), rolledBack.output());
    assertTrue(rolledBack.has("rolled back from block 30 .* to block 5 .*; 25 blocks removed"), rolledBack.output());
    NodeProcess repaired = cluster.startNode("repaired", List.of(), 3, "--config", config.toString());
    repaired.awaitLine("node 3: Ready .*block=60", STEP);
    try (MasterClient mine = masters.client(3); MasterClient honest = masters.client(0)) {
      assertEquals(60L, (long) mine.lastBlockNumber().get(10, TimeUnit.SECONDS), repaired.output());
      ClusterMasters.assertSameBlocks(mine, honest, 1, 60);
    }
    assertEquals(0, repaired.matching("LOCAL_FORKED"), repaired.output());
  }

  private static String metricsUrl(NodeProcess node) {
    Matcher m = Pattern.compile("serving (http://\\S+)/metrics").matcher(node.awaitLine("serving http://", STEP));
    assertTrue(m.find());
    return m.group(1);
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /** One sample's value, e.g. {@code peerlink_sync_ready 0.0}; -1 when absent. */
  private static double sample(String body, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
