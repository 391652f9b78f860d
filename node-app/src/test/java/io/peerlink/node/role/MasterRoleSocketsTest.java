package io.peerlink.node.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.TestNodes;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stopping master leaves socket files it does not own; a tcp:// executor socket admits only its allowlist. */
class MasterRoleSocketsTest {
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = TestNodes.tempDir();
  }

  @AfterEach
  void tearDown() throws Exception {
    TestNodes.deleteTree(dir);
  }

  @Test
  void aStoppingMasterLeavesASocketFileThatReplacedItsOwn() throws Exception {
    NodeConfig config = TestNodes.config(dir, 0, List.of());
    Path query = config.localMaster().path();
    try (TransportRegistry transports = TransportRegistry.installed();
         TestNodes.State state = TestNodes.state(dir.resolve("data"));
         ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      MasterRole master = new MasterRole(config, transports, state.masterState(), state.intake());
      master.start();
      Files.delete(query);
      other.bind(UnixDomainSocketAddress.of(query)); // someone else's socket now
      master.close();
      assertTrue(Files.exists(query, LinkOption.NOFOLLOW_LINKS), "the other process's socket file is left");
      // Still the other server's socket, not merely a file of that name: it takes a connection.
      try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(query));
           SocketChannel accepted = other.accept()) {
        assertTrue(client.isConnected() && accepted != null, "the other socket still serves");
      }
      assertTrue(!Files.exists(config.blockChannel().path(), LinkOption.NOFOLLOW_LINKS), "its own files are removed");
    }
  }

  @Test
  void aTcpExecutorSocketAdmitsOnlyItsAllowlist() throws Exception {
    NodeConfig base = TestNodes.config(dir, 0, List.of());
    ListenerSettings d = TestNodes.defaults().listeners();
    int port = LoopbackPorts.pick();
    for (List<String> allow : List.of(List.<String>of(), List.of("10.0.0.0/8"))) {
      ListenerSettings settings = new ListenerSettings(d.peerRpcAllow(), d.peerRpcLimits(), d.localLimits(),
          d.unixSocketMode(), Optional.empty(), Set.of(), Optional.empty(), allow, Set.of(), 0, 0, 0);
      NodeConfig config = new NodeConfig(base.nodeId(), base.blockChannel(), Endpoint.tcp("127.0.0.1", port),
          base.peers(), base.peerRpc(), base.storagePath(), base.retentionBlocks(), base.discovery(), settings,
          new io.peerlink.node.config.MetricsSettings(false, "127.0.0.1", 0, Duration.ZERO), base.master());
      try (TransportRegistry transports = TransportRegistry.installed();
           TestNodes.State state = TestNodes.state(dir.resolve("data" + allow.size()));
           MasterRole master = new MasterRole(config, transports, state.masterState(), state.intake())) {
        master.start();
        if (allow.isEmpty()) {
          try (MasterClient client = new MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
            assertEquals(0L, client.lastBlockNumber().get(10, TimeUnit.SECONDS), "loopback is admitted");
          }
        } else {
          assertEquals(-1, firstByteOfAnswer(port), "127.0.0.1 is not in executor_allow 10.0.0.0/8: closed unanswered");
        }
      }
    }
  }

  private static int firstByteOfAnswer(int port) throws Exception {
    try (SocketChannel ch = RawSockets.tcp("127.0.0.1", port)) {
      try {
        ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, 0x32, 0}));
        ch.socket().setSoTimeout(5_000);
        return ch.socket().getInputStream().read();
      } catch (SocketException reset) {
        return -1; // closed at accept, possibly with a reset
      }
    }
  }
}
