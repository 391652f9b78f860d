package io.peerlink.node;

import com.typesafe.config.ConfigFactory;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.ConfigLoader;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole nodes for a test, wired by Guice from HOCON as a user writes it: sockets in a short temp
 * dir, the peer API on loopback, fast discovery. Closing stops them, newest first, and removes the dir.
 */
final class LocalNodes implements AutoCloseable {

  final Path dir;
  final TransportRegistry transports = TransportRegistry.installed();
  private final List<PeerlinkNode> nodes = new ArrayList<>();

  LocalNodes() throws Exception {
    dir = TestNodes.tempDir();
  }

  /**
   * Creates and starts node {@code id}.
   *
   * @param extra more config lines, which override the ones written here
   */
  PeerlinkNode start(int id, int port, List<Integer> peerPorts, PeerlinkNode.Roles roles, String... extra)
      throws Exception {
    StringBuilder peers = new StringBuilder();
    for (int p : peerPorts) {
      peers.append(peers.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(p).append('"');
    }
    List<String> lines = new ArrayList<>(List.of(
        "node_id = " + id,
        "executor_send_socket_path = \"" + dir.resolve("exec" + id + ".sock") + "\"",
        "executor_receive_socket_path = \"" + dir.resolve("master" + id + ".sock") + "\"",
        "peer_rpc_addresses = [" + peers + "]",
        "peer_rpc_bind = \"127.0.0.1\"",
        "peer_rpc_port = " + port,
        "storage_path = \"" + dir.resolve("data" + id) + "\"",
        "discovery.interval = 500ms",
        "discovery.timeout = 2s",
        "catch_up.batch_size = 16"));
    lines.addAll(List.of(extra));
    PeerlinkNode node = PeerlinkNode.create(ConfigFactory.parseString(String.join("\n", lines)),
        ConfigLoader.withoutOverrides(), roles);
    nodes.add(node);
    node.start();
    return node;
  }

  /** Stops a node started here; {@link #close()} leaves it alone then. */
  void stop(PeerlinkNode node) {
    node.close();
    nodes.remove(node);
  }

  /** Feeds commits {@code from..to} of {@code epoch} to a node's block channel and waits until applied. */
  void feed(PeerlinkNode node, long epoch, long from, long to) throws Exception {
    try (CommitSender s = CommitSender.connect(transports, node.config().blockChannel(), Duration.ofSeconds(5))) {
      s.send(CommitSender.syntheticCommits(epoch, from, to), Duration.ofSeconds(10));
    }
    try (MasterClient c = new MasterClient(transports, node.config().localMaster(), Duration.ofSeconds(5))) {
      TestNodes.awaitLastBlock(c, to, Duration.ofSeconds(20));
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    transports.close();
    TestNodes.deleteTree(dir);
  }
}
