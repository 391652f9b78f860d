package io.peerlink.node.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.node.PeerlinkNode;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.ConfigLoader;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The seed's scenario on one machine: node 0 and node 1 run ahead (their masters are fed the same
 * commits on their block channels, as their consensus nodes would), node 2 starts empty with the
 * other two as {@code peer_go_master_sockets}, discovers that it is behind, fetches the missing
 * blocks from its best peer over TCP, hands them to its own master over its Unix socket with
 * {@code sync_blocks}, and turns Ready. Everything lives in one temp dir, removed at the end.
 */
public final class Demo {

  private static final int NODES = 3;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final PrintWriter out;
  private final int blocks;
  private final Duration readyTimeout;
  private final Duration hold;

  /**
   * @param out where the demo's lines go
   * @param blocks commits fed to the nodes ahead; the first 60% in epoch 1, the rest in epoch 2
   * @param readyTimeout how long node 2 may take to turn Ready
   * @param hold how long the nodes keep running (and serving their metrics) after the scenario
   */
  public Demo(PrintWriter out, int blocks, Duration readyTimeout, Duration hold) {
    this.out = out;
    this.blocks = blocks;
    this.readyTimeout = readyTimeout;
    this.hold = hold;
  }

  /** Runs the scenario; returns the exit code (0 when node 2 caught up and agrees with its peers). */
  public int run() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
    List<PeerlinkNode> nodes = new ArrayList<>();
    Thread cleanup = new Thread(() -> stopAll(nodes, dir), "peerlink-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C mid-demo still cleans up
    try {
      return scenario(dir, nodes);
    } finally {
      stopAll(nodes, dir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  private int scenario(Path dir, List<PeerlinkNode> nodes) throws Exception {
    int[] ports = LoopbackPorts.pick(NODES);
    List<Endpoint> peerApis = new ArrayList<>();
    for (int port : ports) {
      peerApis.add(Endpoint.tcp("127.0.0.1", port));
    }
    long epoch1End = Math.max(1, blocks * 6L / 10);
    say("peerlink demo: the seed's scenario on this machine, in " + dir);
    say("  3 nodes; each master listens on a Unix socket (its own node) and on TCP 127.0.0.1 (peers).");
    say("");

    say("[1/5] Starting node 0 and node 1: the two that will run ahead.");
    for (int i = 0; i < 2; i++) {
      PeerlinkNode node = PeerlinkNode.create(nodeConfig(dir, i, ports), ConfigLoader.withoutOverrides(),
          PeerlinkNode.Roles.MASTER_ONLY);
      nodes.add(node);
      node.start();
      NodeConfig c = node.config();
      say("      node " + i + ": query API " + c.localMaster() + ", peer API " + c.peerRpc() + ", block channel "
          + c.blockChannel());
      say("              metrics: " + node.metricsUrl().orElseThrow() + "/metrics (and /health/ready)");
    }

    say("[2/5] Feeding both the same " + blocks + " commits on their block channels (epoch 1: blocks 1-" + epoch1End
        + ", epoch 2: blocks " + (epoch1End + 1) + "-" + blocks + ").");
    try (TransportRegistry transports = TransportRegistry.installed()) {
      for (int i = 0; i < 2; i++) {
        NodeConfig c = nodes.get(i).config();
        try (CommitSender sender = CommitSender.connect(transports, c.blockChannel(), CALL_TIMEOUT)) {
          sender.send(CommitSender.syntheticCommits(1, 1, epoch1End), Duration.ofSeconds(30));
          if (epoch1End < blocks) {
            sender.send(CommitSender.syntheticCommits(2, epoch1End + 1, blocks), Duration.ofSeconds(30));
          }
        }
        MasterStatus s = awaitBlock(transports, c.localMaster(), blocks, Duration.ofSeconds(30));
        say("      node " + i + ": epoch=" + s.epoch() + " block=" + s.lastBlockNumber());
      }

      say("[3/5] Starting node 2 empty, with node 0 and node 1 as its peers:");
      say("      peer_go_master_sockets = [\"" + peerApis.get(0) + "\", \"" + peerApis.get(1) + "\"]");
      PeerlinkNode behind = PeerlinkNode.create(nodeConfig(dir, 2, ports),
          ConfigLoader.withoutOverrides(), PeerlinkNode.Roles.BOTH);
      nodes.add(behind);
      behind.start();
      say("      node 2 metrics: " + behind.metricsUrl().orElseThrow() + "/metrics (and /health/ready)");
      say("[4/5] Node 2 asks its own master and its peers, finds it is behind, and catches up:");
      SyncStatus ready;
      try {
        ready = behind.node().orElseThrow().firstReady().get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        say("      node 2 did not turn Ready within " + readyTimeout.toSeconds() + " s; last status: "
            + behind.node().orElseThrow().current().map(SyncStatus::summary).orElse("none"));
        return 1;
      }
      say("      node 2 is " + ready.state() + ": epoch=" + ready.localEpoch() + " block=" + ready.localBlock()
          + ", " + ready.peersAnswered() + " of 2 peers answered");

      say("[5/5] The three masters now (as `peerlink status` prints them):");
      List<MasterStatus> finals = new ArrayList<>();
      List<BlockData> tips = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        try (MasterClient client = new MasterClient(transports, peerApis.get(i), CALL_TIMEOUT)) {
          MasterStatus s = client.status().get(10, TimeUnit.SECONDS);
          long start = client.epochStartTimestampMs(s.epoch()).get(10, TimeUnit.SECONDS);
          List<BlockData> tip = client.blocksRange(s.lastBlockNumber(), s.lastBlockNumber()).get(10, TimeUnit.SECONDS);
          finals.add(s);
          tips.addAll(tip);
          say("      " + peerApis.get(i) + " epoch=" + s.epoch() + " block=" + s.lastBlockNumber() + " epoch_start_ms="
              + start + (tip.isEmpty() ? "" : " hash=" + shortHash(tip.get(0).blockHash())));
        }
      }
      boolean agree = finals.stream().map(MasterStatus::lastBlockNumber).distinct().count() == 1
          && tips.size() == NODES && tips.stream().map(b -> HexFormat.of().formatHex(b.blockHash())).distinct().count() == 1;
      say("");
      if (!agree) {
        say("The masters disagree: " + finals.stream().map(Object::toString).collect(Collectors.joining(", ")));
        return 1;
      }
      say("All three masters hold the same " + blocks + " blocks; node 2 caught up from its peers and is Ready.");
      showMetrics(behind.metricsUrl().orElseThrow());
      if (!hold.isZero()) {
        say("Keeping the nodes running for " + hold.toSeconds() + " s (--hold-s): scrape the metrics URLs above.");
        TimeUnit.MILLISECONDS.sleep(hold.toMillis());
      }
      say("Stopping the nodes and removing " + dir + ".");
      return 0;
    }
  }

  /** Node 2's catch-up, as its metrics endpoint serves it to Prometheus. */
  private void showMetrics(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
        .timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    say("Node 2's metrics (GET " + url + "/metrics, as Prometheus scrapes them):");
    r.body().lines().filter(l -> l.startsWith("peerlink_sync_state{state=\"Ready\"}")
            || l.startsWith("peerlink_catchup_blocks_applied_total") || l.startsWith("peerlink_chain_blocks "))
        .forEach(l -> say("      " + l));
  }

  /** A node's config as a user would write it, read through the same loader as `run --config`. */
  private static Config nodeConfig(Path dir, int id, int[] ports) {
    StringBuilder peers = new StringBuilder();
    for (int j = 0; j < ports.length; j++) {
      if (j != id) {
        peers.append(peers.length() == 0 ? "" : ", ").append("\"tcp://127.0.0.1:").append(ports[j]).append('"');
      }
    }
    return ConfigFactory.parseString(String.join("\n",
        "node_id = " + id,
        "executor_send_socket_path = \"" + dir.resolve("exec" + id + ".sock") + "\"",
        "executor_receive_socket_path = \"" + dir.resolve("master" + id + ".sock") + "\"",
        "peer_go_master_sockets = [" + peers + "]",
        "peer_rpc_bind = \"127.0.0.1\"",
        "peer_rpc_port = " + ports[id],
        "storage_path = \"" + dir.resolve("data" + id) + "\"",
        "discovery.interval = 1s",
        "discovery.timeout = 2s",
        "catch_up.batch_size = 64",
        "enable_metrics = true",
        "metrics_port = 0",
        "metrics_bind = \"127.0.0.1\""), com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription(
        "demo node_" + id + ".toml"));
  }

  private static MasterStatus awaitBlock(TransportRegistry transports, Endpoint master, long block, Duration deadline)
      throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    try (MasterClient client = new MasterClient(transports, master, CALL_TIMEOUT)) {
      while (true) {
        MasterStatus s = client.status().get(10, TimeUnit.SECONDS);
        if (Long.compareUnsigned(s.lastBlockNumber(), block) >= 0) {
          return s;
        }
        if (System.nanoTime() > end) {
          throw new TimeoutException(master + " reached block " + s.lastBlockNumber() + ", not " + block + ", within "
              + deadline.toSeconds() + " s");
        }
        TimeUnit.MILLISECONDS.sleep(50); // the block channel has no acknowledgement: poll the status
      }
    }
  }

  private static String shortHash(byte[] hash) {
    String hex = HexFormat.of().formatHex(hash);
    return hex.length() > 16 ? hex.substring(0, 16) + "..." : hex;
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }

  private static synchronized void stopAll(List<PeerlinkNode> nodes, Path dir) {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        System.err.println("peerlink demo: could not remove " + dir + ": " + e.getMessage());
      }
    }
  }
}
