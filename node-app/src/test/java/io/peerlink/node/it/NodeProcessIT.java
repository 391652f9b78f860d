package io.peerlink.node.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged node as a process: start-up, the listeners, SIGTERM, a restart, a clash, the demo, the launcher. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeProcessIT {

  private static final Duration STEP = Duration.ofSeconds(60);

  private Path dir;
  private Path config;
  private int port;
  private NodeProcess node;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
    port = LoopbackPorts.pick();
    config = dir.resolve("node_0.toml");
    Files.writeString(config, String.join("\n",
        "# a seed-style config: TOML read as HOCON",
        "node_id = 0",
        "executor_send_socket_path = \"" + dir.resolve("exec0.sock") + "\"",
        "executor_receive_socket_path = \"" + dir.resolve("master0.sock") + "\"",
        "peer_go_master_sockets = []",
        "peer_rpc_bind = \"127.0.0.1\"",
        "peer_rpc_port = " + port + "  # peers ask here",
        "storage_path = \"" + dir.resolve("data") + "\"",
        "protocol_key_path = \"/keys/protocol.key\"",
        ""));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.kill();
      node.close();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private NodeProcess startNode(String name) throws IOException {
    return NodeProcess.start(name, "run", "--config", config.toString());
  }

  /** Starts the node and waits until its three listeners are logged. */
  private NodeProcess startListening(String name) throws IOException {
    NodeProcess p = startNode(name);
    p.awaitLines(" listening on ", 3, Duration.ofSeconds(60));
    return p;
  }

  private void awaitBlock(TransportRegistry transports, long block) {
    await("block " + block + " applied").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .ignoreExceptions() // not answering yet
        .until(() -> status(transports).lastBlockNumber() == block);
  }

  private MasterStatus status(TransportRegistry transports) throws Exception {
    try (MasterClient c = new MasterClient(transports, Endpoint.tcp("127.0.0.1", port), Duration.ofSeconds(5))) {
      return c.status().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void runsServesStopsOnSigtermAndKeepsItsChainAcrossRestartsAndKill9() throws Exception {
    node = startListening("first");
    String log = node.stderr();
    assertTrue(log.contains("listening on unix://" + dir.resolve("master0.sock") + " (executor_receive_socket_path)"),
        log);
    assertTrue(log.contains("listening on tcp://127.0.0.1:" + port + " (peer_rpc_port)"), log);
    assertTrue(log.contains("listening on unix://" + dir.resolve("exec0.sock") + " (executor_send_socket_path)"), log);
    assertTrue(log.contains("Ignoring config keys this node does not use: protocol_key_path"), log);

    NodeProcess.Result sent = NodeProcess.run("send-blocks", STEP, "send-blocks", dir.resolve("exec0.sock").toString(),
        "--epoch", "2", "--from", "1", "--to", "12");
    assertEquals(0, sent.exitCode(), sent.toString());
    try (TransportRegistry transports = TransportRegistry.installed()) {
      awaitBlock(transports, 12);
      NodeProcess.Result st = NodeProcess.run("status", STEP, "status", "127.0.0.1:" + port);
      assertEquals(0, st.exitCode(), st.toString());
      assertTrue(st.stdout().startsWith("tcp://127.0.0.1:" + port + " epoch=2 block=12 epoch_start_ms="), st.stdout());

      // A second node on the same config: its storage is locked by the first; it says so and exits 1.
      NodeProcess.Result clash = NodeProcess.run("clash", STEP, "run", "--config", config.toString());
      assertEquals(1, clash.exitCode(), clash.toString());
      assertTrue(clash.stderr().contains("could not start: storage_path " + dir.resolve("data")), clash.toString());
      // With storage of its own, it meets the first node's socket path: named, exit 1.
      Path other = dir.resolve("other.toml");
      Files.writeString(other, Files.readString(config) + "storage_path = \"" + dir.resolve("data2") + "\"\n");
      NodeProcess.Result clash2 = NodeProcess.run("clash2", STEP, "run", "--config", other.toString());
      assertEquals(1, clash2.exitCode(), clash2.toString());
      assertTrue(clash2.stderr().contains("could not start: executor_receive_socket_path: cannot listen on unix://"
          + dir.resolve("master0.sock")), clash2.toString());
      assertEquals(12, status(transports).lastBlockNumber(), "the first node must be unharmed");

      // SIGTERM: listeners closed, state flushed, socket files removed.
      assertEquals(143, node.stop(Duration.ofSeconds(30)), node.stderr());
      assertFalse(Files.exists(dir.resolve("master0.sock")), "socket file left behind");
      assertFalse(Files.exists(dir.resolve("exec0.sock")), "socket file left behind");
      assertTrue(node.stderr().contains("chain state flushed and closed"), node.stderr());
      node.close();

      // A restart serves the same chain.
      node = startListening("second");
      MasterStatus after = status(transports);
      assertEquals(12, after.lastBlockNumber());
      assertEquals(2, after.epoch());

      // kill -9: no shutdown hook runs, the socket files stay behind; applied commits survive, and
      // the next start replaces the stale socket files (nobody answers on them).
      sent = NodeProcess.run("send-blocks", STEP, "send-blocks", dir.resolve("exec0.sock").toString(), "--epoch", "2",
          "--from", "13", "--to", "15");
      assertEquals(0, sent.exitCode(), sent.toString());
      awaitBlock(transports, 15);
      node.kill();
      node.close();
      node = startListening("third");
      assertEquals(15, status(transports).lastBlockNumber(), node.stderr());
    }
  }

  @Test
  void theDemoRunsFromTheJarAndExitsZero() throws Exception {
    NodeProcess.Result r = NodeProcess.run("demo", Duration.ofSeconds(150), "demo");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("[PEER EPOCH] Querying 2 peer masters for epoch discovery..."), r.stdout());
    assertTrue(r.stdout().contains("node 2 is Ready"), r.stdout());
    assertTrue(r.stdout().contains("All three masters hold the same 200 blocks"), r.stdout());
    // Where each node's metrics are served, and node 2's catch-up as its endpoint served it.
    assertTrue(r.stdout().matches("(?s).*node 2 metrics: http://127\\.0\\.0\\.1:\\d+/metrics.*"), r.stdout());
    assertTrue(r.stdout().contains("peerlink_sync_state{state=\"Ready\"} 1.0"), r.stdout());
    // The pipelined fetcher spreads batches over both peers: the 200 blocks are the sum of the peers' series.
    Matcher applied = Pattern.compile("peerlink_catchup_blocks_applied_total\\{peer=\"tcp://127\\.0\\.0\\.1:\\d+\"} (\\d+)\\.0")
        .matcher(r.stdout());
    long sum = 0;
    while (applied.find()) {
      sum += Long.parseLong(applied.group(1));
    }
    assertEquals(200, sum, r.stdout());
  }

  @Test
  void theLauncherRunsTheBuiltJar() throws Exception {
    Path launcher = Path.of("..", "peerlink").toAbsolutePath().normalize();
    assertTrue(Files.isExecutable(launcher), launcher + " is not executable");
    NodeProcess.Result r = NodeProcess.runCommand("launcher", STEP, List.of(launcher.toString(), "transports"));
    assertEquals(0, r.exitCode(), r.toString());
    String out = r.stdout();
    assertTrue(out.lines().anyMatch(l -> l.startsWith("unix ")) && out.lines().anyMatch(l -> l.startsWith("tcp,tls ")), out);
  }
}
