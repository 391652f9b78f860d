package io.peerlink.node.role;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.TestNodes;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.MetricsSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.TransportRegistry;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The master role applies peer_rpc_allow, unix_socket_mode and reports it all in its metrics line. */
class MasterRoleHardeningTest {

  @Test
  void aPeerOutsidePeerRpcAllowIsClosedAtAcceptAndCountedAndSocketsTakeTheConfiguredMode() throws Exception {
    Path dir = TestNodes.tempDir();
    NodeConfig base = TestNodes.config(dir, 0, List.of());
    ListenerSettings d = TestNodes.defaults().listeners();
    ListenerSettings onlyTenNet = new ListenerSettings(List.of("10.0.0.0/8"), d.peerRpcLimits(), d.localLimits(),
        "rw-rw----", Optional.empty(), Set.of(), Optional.empty(), List.of(), Set.of(), d.rangeBlocksPerSecond(),
        d.strangerRangeBlocksPerSecond(), d.peerRangeBlocksPerSecond());
    NodeConfig config = new NodeConfig(base.nodeId(), base.blockChannel(), base.localMaster(), base.peers(),
        base.peerRpc(), base.storagePath(), base.retentionBlocks(), base.discovery(), onlyTenNet,
        new MetricsSettings(false, "127.0.0.1", 0, Duration.ZERO), base.master());
    try (TransportRegistry transports = TransportRegistry.installed();
         TestNodes.State state = TestNodes.state(dir.resolve("data"));
         MasterRole master = new MasterRole(config, transports, state.masterState(), state.intake())) {
      master.start();
      assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.localMaster().path())));
      assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.blockChannel().path())));
      try (SocketChannel ch = RawSockets.tcp("127.0.0.1", master.peerRpcEndpoint().orElseThrow().port())) {
        int read;
        try {
          ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, 0x32, 0}));
          ch.socket().setSoTimeout(5_000);
          read = ch.socket().getInputStream().read();
        } catch (SocketException reset) {
          read = -1; // closed at accept, possibly with a reset
        }
        assertEquals(-1, read, "127.0.0.1 is not in 10.0.0.0/8: closed, unanswered");
      }
      String refused = "peerlink_listener_connections_refused_total{listener=\"peer_rpc_port\",reason=\"access_policy\"}=1";
      String line = await("the refusal counted").atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20)).until(master::metricsLine, l -> l.contains(refused));
      // The log line comes from the meters /metrics serves: the refusal, the accept, nothing answered.
      assertTrue(line.startsWith("metrics: ") && line.contains(refused), line);
      assertTrue(line.contains("peerlink_listener_connections_accepted_total{listener=\"peer_rpc_port\"}=1"), line);
      assertTrue(!line.contains("frames_sent") && !line.contains("error_answers"), line);
    } finally {
      TestNodes.deleteTree(dir);
    }
  }
}
