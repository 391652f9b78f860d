package io.peerlink.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.role.StartupException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whole nodes with {@code enable_metrics}: the HTTP endpoint over real sockets, as Prometheus and a probe see it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerlinkNodeMetricsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LocalNodes local;

  @BeforeEach
  void setUp() throws Exception {
    local = new LocalNodes();
  }

  @AfterEach
  void tearDown() throws Exception {
    local.close();
  }

  /** A node with enable_metrics, on a free metrics port. */
  private PeerlinkNode node(int id, int port, List<Integer> peerPorts, PeerlinkNode.Roles roles, String... extra)
      throws Exception {
    List<String> lines = new ArrayList<>(List.of("enable_metrics = true", "metrics_port = 0"));
    lines.addAll(List.of(extra));
    return local.start(id, port, peerPorts, roles, lines.toArray(new String[0]));
  }

  private HttpResponse<String> get(PeerlinkNode node, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.metricsUrl().orElseThrow() + path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one sample line, e.g. {@code peerlink_chain_blocks 100.0}. */
  private static double sample(String body, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(body);
    assertTrue(m.find(), () -> "no sample " + series + " in:\n" + body);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void aNodeThatCaughtUpShowsItInItsMetricsAndIsReady() throws Exception {
    int p0 = LoopbackPorts.pick();
    PeerlinkNode ahead = node(0, p0, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    local.feed(ahead, 1, 1, 100);
    PeerlinkNode behind = node(1, LoopbackPorts.pick(), List.of(p0), PeerlinkNode.Roles.BOTH);
    behind.node().orElseThrow().firstReady().get(60, TimeUnit.SECONDS);

    HttpResponse<String> ready = get(behind, "/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode verdict = JSON.readTree(ready.body());
    assertEquals("ready", verdict.get("status").asText(), ready.body());
    assertEquals("Ready", verdict.get("state").asText(), ready.body());
    assertEquals("writable", verdict.get("store").asText(), ready.body());

    HttpResponse<String> metrics = get(behind, "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    String body = metrics.body();
    String peer = "peer=\"tcp://127.0.0.1:" + p0 + "\"";
    assertEquals(1.0, sample(body, "peerlink_sync_state{state=\"Ready\"}"));
    assertEquals(0.0, sample(body, "peerlink_sync_state{state=\"SyncingCommits\"}"));
    assertEquals(100.0, sample(body, "peerlink_catchup_blocks_applied_total{" + peer + "}"));
    assertEquals(100.0, sample(body, "peerlink_catchup_blocks_fetched_total{" + peer + "}"));
    assertEquals(7.0, sample(body, "peerlink_catchup_batches_fetched_total{" + peer + "}"), "100 blocks in 16s");
    // Pipelined, whole batches waiting at the head go to the master together: 1 to 7 sync_blocks calls.
    double applied = sample(body, "peerlink_catchup_batches_applied_total{" + peer + "}");
    assertTrue(applied >= 1 && applied <= 7, "batches applied: " + applied);
    assertEquals(100.0, sample(body, "peerlink_chain_blocks"));
    assertEquals(100.0, sample(body, "peerlink_sync_local_block"));
    assertTrue(sample(body, "peerlink_chain_disk_bytes") > 100 * 50, body);
    assertTrue(sample(body, "peerlink_chain_fsync_seconds_count") >= applied, "one durable write per batch at least");
    assertEquals(100.0, sample(body, "peerlink_chain_group_blocks_sum"), "every block in some group commit");
    assertTrue(sample(body, "peerlink_chain_group_blocks_count") >= 1, body);
    assertTrue(sample(body, "peerlink_peer_query_seconds_count{outcome=\"answered\"," + peer + "}") >= 1, body);
    assertTrue(sample(body, "peerlink_discovery_round_seconds_count") >= 2, body);
    // The node's own master answered the node's status queries on its query socket, every frame
    // in answered; catch-up's sync_blocks go to the master in process (both roles), not over it.
    double in = sample(body, "peerlink_listener_frames_received_total{listener=\"executor_receive_socket_path\"}");
    assertTrue(in >= 1, body);
    assertEquals(in, sample(body, "peerlink_listener_frames_sent_total{listener=\"executor_receive_socket_path\"}"));
    assertTrue(body.contains("\njvm_memory_used_bytes{"), "the JVM's meters too");
    assertTrue(body.contains("\nprocess_cpu_usage "), "and the process's");

    // The node ahead: commits from its block channel, counted by outcome; its peer port served the blocks.
    String aheadBody = get(ahead, "/metrics").body();
    assertEquals(100.0, sample(aheadBody, "peerlink_block_channel_commits_total{outcome=\"applied\"}"));
    assertTrue(sample(aheadBody, "peerlink_listener_frames_sent_total{listener=\"peer_rpc_port\"}") >= 7, aheadBody);
    assertEquals(200, get(ahead, "/health/ready").statusCode(), "a master alone is ready when its store is");
  }

  @Test
  void openMetricsWhenAskedLiveAlways404AndMethodsElsewhere() throws Exception {
    PeerlinkNode n = node(0, LoopbackPorts.pick(), List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    HttpResponse<String> om = get(n, "/metrics", "Accept",
        "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1");
    assertEquals(200, om.statusCode());
    assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
    assertTrue(om.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    assertTrue(om.body().contains("\npeerlink_chain_blocks 0.0\n") || om.body().contains("\npeerlink_chain_blocks 0\n"),
        om.body());

    HttpResponse<String> live = get(n, "/health/live");
    assertEquals(200, live.statusCode());
    assertEquals("live", JSON.readTree(live.body()).get("status").asText());

    HttpResponse<String> nowhere = get(n, "/metricsx");
    assertEquals(404, nowhere.statusCode());
    assertTrue(JSON.readTree(nowhere.body()).get("error").asText().contains("/metricsx"), nowhere.body());
    assertEquals(404, get(n, "/").statusCode());

    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(n.metricsUrl().orElseThrow() + "/metrics"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void aNodeWhoseOwnMasterDoesNotAnswerIsNotReadyAndSaysWhy() throws Exception {
    // Node role only, its own master absent: the sync decision is Initializing.
    PeerlinkNode n = node(0, LoopbackPorts.pick(), List.of(), PeerlinkNode.Roles.NODE_ONLY);
    await("a first sync decision").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> n.node().orElseThrow().current().isPresent());
    HttpResponse<String> r = get(n, "/health/ready");
    assertEquals(503, r.statusCode(), r.body());
    JsonNode v = JSON.readTree(r.body());
    assertEquals("not ready", v.get("status").asText());
    assertEquals("Initializing", v.get("state").asText(), r.body());
    assertTrue(v.get("why").get(0).asText().startsWith("sync: not ready, Initializing(the local master"), r.body());
    assertTrue(v.get("store").isNull(), "no master role in this process: " + r.body());
    String body = get(n, "/metrics").body();
    assertEquals(1.0, sample(body, "peerlink_sync_state{state=\"Initializing\"}"));
    assertEquals(0.0, sample(body, "peerlink_sync_ready"));
    assertTrue(sample(body, "peerlink_peer_query_seconds_count{outcome=\"refused\",peer=\"local\"}") >= 1, body);
  }

  @Test
  void aTakenMetricsPortStopsStartUpNamingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      StartupException e = assertThrows(StartupException.class, () -> node(0, LoopbackPorts.pick(), List.of(),
          PeerlinkNode.Roles.BOTH, "metrics_port = " + port));
      assertTrue(e.getMessage().startsWith("metrics_port: cannot listen on 127.0.0.1:" + port), e.getMessage());
      assertTrue(!java.nio.file.Files.exists(local.dir.resolve("master0.sock")), "nothing else started");
    }
  }
}
