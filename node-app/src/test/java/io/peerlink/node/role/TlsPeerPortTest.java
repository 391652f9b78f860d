package io.peerlink.node.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.node.TestNodes;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import io.peerlink.transport.api.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The peer port with mutual TLS, end to end: a master configured with a {@code tls} block listens
 * as {@code tls://}, and a peer written {@code tls://host:port} is queried like any other, with
 * certificates made at test time. A peer without a trusted certificate gets nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsPeerPortTest {

  private final TestCertificates certs = TestCertificates.get();
  private Path dir;
  private TransportRegistry transports;
  private TestNodes.State state;
  private MasterRole master;
  private NodeConfig config;

  @BeforeEach
  void start() throws Exception {
    dir = TestNodes.tempDir();
    transports = TransportRegistry.installed();
    // Through the config loader, as an operator writes it: the tls block turns the peer port into tls://.
    Path file = dir.resolve("node_0.toml");
    java.nio.file.Files.writeString(file, String.join("\n",
        "executor_send_socket_path = \"" + dir.resolve("exec0.sock") + "\"",
        "executor_receive_socket_path = \"" + dir.resolve("master0.sock") + "\"",
        "peer_rpc_port = " + LoopbackPorts.pick(),
        "peer_rpc_bind = \"127.0.0.1\"",
        "storage_path = \"" + dir.resolve("data0") + "\"",
        "tls {",
        "  certificate_chain = \"" + certs.server.certificateChain() + "\"",
        "  private_key = \"" + certs.server.privateKey() + "\"",
        "  trusted_certificates = \"" + certs.server.trustedCertificates() + "\"",
        "}", ""));
    config = io.peerlink.node.config.ConfigLoader.withoutOverrides().load(file, transports);
    state = TestNodes.state(dir.resolve("data"));
    master = new MasterRole(config, transports, state.masterState(), state.intake());
    master.start();
    try (MasterClient local = new MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
      local.advanceEpoch(5, 1_700_000_000_000L, 0).get(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws Exception {
    master.close();
    state.close();
    transports.close();
    TestNodes.deleteTree(dir);
  }

  @Test
  void aTlsPeerIsQueriedLikeAnyOther() throws Exception {
    Endpoint peer = master.peerRpcEndpoint().orElseThrow();
    assertEquals("tls", peer.scheme(), "a tls block makes the peer port listen as tls://: " + peer);

    DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(5)).tls(certs.client).build();
    try (PeerDiscovery discovery = new PeerDiscovery(transports, config.localMaster(), List.of(peer), options)) {
      DiscoveryResult result = discovery.discover().get(30, TimeUnit.SECONDS);
      PeerOutcome outcome = result.peers().get(0);
      assertEquals(PeerOutcome.Kind.ANSWERED, outcome.kind(), outcome.reason());
      assertEquals(5, outcome.status().orElseThrow().epoch());
    }
  }

  @Test
  void aPeerWithoutATrustedCertificateGetsNothing() throws Exception {
    Endpoint peer = master.peerRpcEndpoint().orElseThrow();
    try (MasterClient stranger = new MasterClient(transports, peer, Duration.ofSeconds(5), certs.strangerClient)) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> stranger.currentEpoch().get(30, TimeUnit.SECONDS));
      assertTrue(String.valueOf(e.getCause().getMessage()).contains(peer.toString()), "names the peer: " + e.getCause());
    }
  }
}
