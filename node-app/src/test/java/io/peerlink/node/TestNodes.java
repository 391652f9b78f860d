package io.peerlink.node;

import static org.awaitility.Awaitility.await;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.MasterSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.ChainOptions;
import io.peerlink.node.master.ChainState;
import io.peerlink.node.master.CommitteeSource;
import io.peerlink.transport.api.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers for node-app tests: short temp dirs, node configs on loopback, waiting with deadlines. */
public final class TestNodes {

  private TestNodes() {
  }

  /** A fresh temp dir with a short path (Unix socket paths must stay under 107 bytes). */
  public static Path tempDir() throws IOException {
    return Files.createTempDirectory(Path.of("/tmp"), "pl");
  }

  /** Deletes a directory and everything in it. */
  public static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** reference.conf alone, validated: every default a test config starts from. */
  public static NodeConfig defaults() {
    return io.peerlink.node.config.ConfigLoaderAccess.defaults();
  }

  /** A node whose sockets live in {@code dir}, whose peer API binds 127.0.0.1 on a free port. */
  public static NodeConfig config(Path dir, int nodeId, List<Endpoint> peers) {
    NodeConfig d = defaults();
    return new NodeConfig(nodeId, Endpoint.unix(dir.resolve("exec" + nodeId + ".sock")),
        Endpoint.unix(dir.resolve("master" + nodeId + ".sock")), peers, Endpoint.tcp("127.0.0.1", 0),
        dir.resolve("data" + nodeId), d.retentionBlocks(), d.discovery(), d.listeners(), d.metrics(), d.master());
  }

  /** A copy with other master settings. */
  public static NodeConfig withMaster(NodeConfig c, MasterSettings master) {
    return new NodeConfig(c.nodeId(), c.blockChannel(), c.localMaster(), c.peers(), c.peerRpc(), c.storagePath(),
        c.retentionBlocks(), c.discovery(), c.listeners(), c.metrics(), master);
  }

  /** A copy with other listener settings. */
  public static NodeConfig withListeners(NodeConfig c, ListenerSettings listeners) {
    return new NodeConfig(c.nodeId(), c.blockChannel(), c.localMaster(), c.peers(), c.peerRpc(), c.storagePath(),
        c.retentionBlocks(), c.discovery(), listeners, c.metrics(), c.master());
  }

  public static NodeConfig withPeerRpc(NodeConfig c, Endpoint peerRpc) {
    return new NodeConfig(c.nodeId(), c.blockChannel(), c.localMaster(), c.peers(), peerRpc, c.storagePath(),
        c.retentionBlocks(), c.discovery(), c.listeners(), c.metrics(), c.master());
  }

  public static NodeConfig withLocalMaster(NodeConfig c, Endpoint localMaster) {
    return new NodeConfig(c.nodeId(), c.blockChannel(), localMaster, c.peers(), c.peerRpc(), c.storagePath(),
        c.retentionBlocks(), c.discovery(), c.listeners(), c.metrics(), c.master());
  }

  /** Polls a master until its last block reaches {@code block}, or fails at the deadline. */
  public static void awaitLastBlock(MasterClient client, long block, Duration deadline) {
    // The block channel has no acknowledgement: ask the master until it says so.
    await(client.endpoint() + ": last block at least " + block).atMost(deadline).pollInterval(Duration.ofMillis(20))
        .until(() -> client.lastBlockNumber().get(5, TimeUnit.SECONDS), last -> last >= block);
  }

  /** A master's state for a test, and what to close. */
  public interface State extends AutoCloseable {
    MasterState masterState();

    CommitIntake intake();

    @Override
    void close() throws IOException;
  }

  /** The durable chain state a test master runs on, under {@code dir}. */
  public static State state(Path dir) throws IOException {
    return state(dir, CommitteeSource.NONE);
  }

  /** As {@link #state(Path)}, with a committee file. */
  public static State state(Path dir, CommitteeSource committee) throws IOException {
    ChainState chain = ChainState.open(dir, ChainOptions.defaults(), committee);
    return new State() {
      @Override
      public MasterState masterState() {
        return chain;
      }

      @Override
      public CommitIntake intake() {
        return chain::submit;
      }

      @Override
      public void close() throws IOException {
        chain.close();
      }
    };
  }
}
