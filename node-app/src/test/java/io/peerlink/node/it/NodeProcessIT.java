package io.peerlink.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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

  private Path dir;
  private Path config;
  private int port;
  private Process node;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
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
    if (node != null && node.isAlive()) {
      node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private Process startNode(String name) throws IOException {
    return JarProcess.start(dir.resolve(name + ".out"), dir.resolve(name + ".err"), "run", "--config", config.toString());
  }

  private String log(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".err"));
  }

  private static void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + deadline + ": " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50); // poll interval
    }
  }

  private void awaitListening(String name) throws Exception {
    await("3 listeners in the log of " + name, Duration.ofSeconds(60), () -> {
      try {
        return log(name).lines().filter(l -> l.contains(" listening on ")).count() == 3;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private MasterStatus status(TransportRegistry transports) throws Exception {
    try (MasterClient c = new MasterClient(transports, Endpoint.tcp("127.0.0.1", port), Duration.ofSeconds(5))) {
      return c.status().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void runsServesStopsOnSigtermAndKeepsItsChainAcrossRestartsAndKill9() throws Exception {
    node = startNode("first");
    awaitListening("first");
    String log = log("first");
    assertTrue(log.contains("listening on unix://" + dir.resolve("master0.sock") + " (executor_receive_socket_path)"),
        log);
    assertTrue(log.contains("listening on tcp://127.0.0.1:" + port + " (peer_rpc_port)"), log);
    assertTrue(log.contains("listening on unix://" + dir.resolve("exec0.sock") + " (executor_send_socket_path)"), log);
    assertTrue(log.contains("Ignoring config keys this node does not use: protocol_key_path"), log);

    JarProcess.Result sent = JarProcess.run("send-blocks", dir.resolve("exec0.sock").toString(), "--epoch", "2",
        "--from", "1", "--to", "12");
    assertEquals(0, sent.exitCode(), sent.toString());
    try (TransportRegistry transports = TransportRegistry.installed()) {
      await("block 12 applied", Duration.ofSeconds(30), () -> {
        try {
          return status(transports).lastBlockNumber() == 12;
        } catch (Exception e) {
          return false;
        }
      });
      JarProcess.Result st = JarProcess.run("status", "127.0.0.1:" + port);
      assertEquals(0, st.exitCode(), st.toString());
      assertTrue(st.stdout().startsWith("tcp://127.0.0.1:" + port + " epoch=2 block=12 epoch_start_ms="), st.stdout());

      // A second node on the same config: its storage is locked by the first; it says so and exits 1.
      Process clash = startNode("clash");
      assertTrue(clash.waitFor(60, TimeUnit.SECONDS), "the clashing node did not exit");
      assertEquals(1, clash.exitValue(), log("clash"));
      assertTrue(log("clash").contains("could not start: storage_path " + dir.resolve("data")), log("clash"));
      // With storage of its own, it meets the first node's socket path: named, exit 1.
      Path other = dir.resolve("other.toml");
      Files.writeString(other, Files.readString(config) + "storage_path = \"" + dir.resolve("data2") + "\"\n");
      Process clash2 = JarProcess.start(dir.resolve("clash2.out"), dir.resolve("clash2.err"), "run", "--config",
          other.toString());
      assertTrue(clash2.waitFor(60, TimeUnit.SECONDS), "the clashing node did not exit");
      assertEquals(1, clash2.exitValue(), log("clash2"));
      assertTrue(log("clash2").contains("could not start: executor_receive_socket_path: cannot listen on unix://"
          + dir.resolve("master0.sock")), log("clash2"));
      assertEquals(12, status(transports).lastBlockNumber(), "the first node must be unharmed");

      // SIGTERM: listeners closed, state flushed, socket files removed.
      node.destroy();
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node did not stop on SIGTERM");
      assertEquals(143, node.exitValue(), log("first"));
      assertFalse(Files.exists(dir.resolve("master0.sock")), "socket file left behind");
      assertFalse(Files.exists(dir.resolve("exec0.sock")), "socket file left behind");
      assertTrue(log("first").contains("chain state flushed and closed"), log("first"));

      // A restart serves the same chain.
      node = startNode("second");
      awaitListening("second");
      MasterStatus after = status(transports);
      assertEquals(12, after.lastBlockNumber());
      assertEquals(2, after.epoch());

      // kill -9: no shutdown hook runs, the socket files stay behind; applied commits survive, and
      // the next start replaces the stale socket files (nobody answers on them).
      sent = JarProcess.run("send-blocks", dir.resolve("exec0.sock").toString(), "--epoch", "2", "--from", "13",
          "--to", "15");
      assertEquals(0, sent.exitCode(), sent.toString());
      await("block 15 applied", Duration.ofSeconds(30), () -> {
        try {
          return status(transports).lastBlockNumber() == 15;
        } catch (Exception e) {
          return false;
        }
      });
      node.destroyForcibly();
      assertTrue(node.waitFor(30, TimeUnit.SECONDS));
      node = startNode("third");
      awaitListening("third");
      assertEquals(15, status(transports).lastBlockNumber(), log("third"));
    }
  }

  @Test
  void theDemoRunsFromTheJarAndExitsZero() throws Exception {
    JarProcess.Result r = JarProcess.run(Duration.ofSeconds(150), "demo");
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
    Process p = new ProcessBuilder(launcher.toString(), "transports")
        .redirectOutput(dir.resolve("l.out").toFile()).redirectError(dir.resolve("l.err").toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = Files.readString(dir.resolve("l.out"));
    assertEquals(0, p.exitValue(), out + Files.readString(dir.resolve("l.err")));
    assertTrue(out.lines().anyMatch(l -> l.startsWith("unix ")) && out.lines().anyMatch(l -> l.startsWith("tcp,tls ")), out);
  }
}
