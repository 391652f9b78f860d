package io.peerlink.it;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The adversarial finding, end to end on the packaged node: two honest masters at block 2,000 and
 * a liar claiming 2,500 with a self-consistent chain of its own (its block 1 is of epoch 4, so
 * every hash after differs), listed first. An empty node must end on the honest chain, block for
 * block, ban the liar with its evidence, and stay on the honest chain after a restart without it;
 * under {@code highest} it must not store the liar's unconfirmed blocks either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the restart test stops the liar, so it runs last
class VerifiedTipsTest {

  private static final Duration STEP = Duration.ofSeconds(60);
  private static final long HONEST_TIP = 2000;
  private static final long LIAR_TIP = 2500;

  @RegisterExtension
  final ClusterMasters masters = new ClusterMasters();
  private Cluster cluster;
  private final int[] ports = new int[5];
  private String liarEndpoint;

  @BeforeAll
  void startMasters() throws Exception {
    cluster = masters.cluster();
    for (int i = 0; i < ports.length; i++) {
      ports[i] = LoopbackPorts.pick();
    }
    // Nodes 0 and 1: honest masters. Node 3: the liar. Each fed over its block channel.
    for (int node : new int[] {0, 1, 3}) {
      Path config = cluster.writeConfig(node, ports[node], "127.0.0.1", List.of(), Map.of());
      cluster.startNode("master-" + node, List.of(), node, "--master-only", "--config", config.toString());
    }
    List<NodeProcess> feeds = new ArrayList<>();
    for (int node : new int[] {0, 1}) {
      feeds.add(feed(node, 5, 1, HONEST_TIP));
    }
    feeds.add(feed(3, 4, 1, 1)); // the liar's own chain: block 1 of epoch 4 changes every hash after it
    for (NodeProcess f : feeds) {
      assertEquals(0, f.waitFor(STEP), f.output());
    }
    NodeProcess rest = feed(3, 5, 2, LIAR_TIP);
    assertEquals(0, rest.waitFor(STEP), rest.output());
    liarEndpoint = "tcp://127.0.0.1:" + ports[3];
  }

  private NodeProcess feed(int node, long epoch, long from, long to) throws Exception {
    return cluster.start("feed-" + node + "-" + from, List.of(), "send-blocks", "unix://" + cluster.sendSocket(node),
        "--epoch", Long.toString(epoch), "--from", Long.toString(from), "--to", Long.toString(to));
  }

  private List<String> peersLiarFirst() {
    return List.of(liarEndpoint, "tcp://127.0.0.1:" + ports[0], "tcp://127.0.0.1:" + ports[1]);
  }

  private Path emptyNode(int node, Map<String, String> extra) throws Exception {
    return cluster.writeConfig(node, ports[node], "127.0.0.1", peersLiarFirst(), extra);
  }

  @Test
  @Order(2)
  void theDefaultPolicyEndsOnTheHonestChainBansTheLiarAndStaysHonestAfterARestart() throws Exception {
    Path config = emptyNode(2, Map.of("discovery.timeout", "2s", "discovery.interval", "1s",
        "enable_metrics", "true", "metrics_port", "0"));
    NodeProcess node = cluster.startNode("empty-default", List.of(), 2, "--config", config.toString());

    node.awaitLine("node 2: Ready .*block=" + HONEST_TIP, STEP);
    String ban = node.awaitLine("\\[PEER BAN\\] Peer master \\(" + Pattern.quote(liarEndpoint) + "\\)", STEP);
    assertFalse(ban.contains("(empty)"), "the evidence names both hashes: " + ban);
    node.awaitLine("quorum with f = 1", Duration.ofSeconds(1));
    assertHonestChain(2);
    String metrics = metrics(node);
    assertTrue(metrics.contains("peerlink_peer_bans_total{peer=\"" + liarEndpoint + "\"} 1.0"), metrics);
    assertTrue(metrics.contains("peerlink_peer_bans_total{peer=\"tcp://127.0.0.1:" + ports[0] + "\"} 0.0"), metrics);

    // The liar goes away, the node restarts: it is on the honest chain, and stays there.
    assertEquals(143, node.stop(STEP), node.output());
    cluster.process("master-3").stop(STEP);
    NodeProcess again = cluster.startNode("empty-default-restarted", List.of(), 2, "--config", config.toString());
    again.awaitLine("node 2: Ready .*block=" + HONEST_TIP, STEP);
    assertHonestChain(2);
  }

  @Test
  @Order(1)
  void underHighestTheLiarsUnconfirmedBlocksAreNeverStored() throws Exception {
    Path config = emptyNode(4, Map.of("discovery.timeout", "2s", "discovery.interval", "1s",
        "discovery.policy", "highest"));
    NodeProcess node = cluster.startNode("empty-highest", List.of(), 4, "--config", config.toString());

    node.awaitLine("\\[PEER BAN\\] Peer master \\(" + Pattern.quote(liarEndpoint) + "\\)", STEP);
    node.awaitLine("node 4: Ready .*block=" + HONEST_TIP, STEP);
    assertHonestChain(4);
  }

  /** What the node serves at /metrics, at the address it logged. */
  private static String metrics(NodeProcess node) throws Exception {
    Matcher m = Pattern.compile("serving http://(\\S+)/metrics").matcher(node.awaitLine("serving http://", STEP));
    assertTrue(m.find());
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + m.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The node's master holds exactly the honest master's blocks 1..2000, hash for hash, and nothing past them. */
  private void assertHonestChain(int node) throws Exception {
    try (MasterClient mine = masters.client(node); MasterClient honest = masters.client(0)) {
      assertEquals(HONEST_TIP, (long) mine.lastBlockNumber().get(10, TimeUnit.SECONDS), "nothing past the honest tip");
      ClusterMasters.assertSameBlocks(mine, honest, 1, HONEST_TIP);
    }
  }
}
