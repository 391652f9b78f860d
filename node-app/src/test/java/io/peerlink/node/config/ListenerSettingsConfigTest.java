package io.peerlink.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.typesafe.config.ConfigFactory;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * peer_rpc_allow, limits.*, unix_socket_*, unix_allowed_uids, master_uids, executor_allow, tls.* and
 * metrics.interval.
 */
class ListenerSettingsConfigTest {

  private static TransportRegistry registry() {
    TransportProvider p = mock(TransportProvider.class);
    when(p.schemes()).thenReturn(Set.of("unix", "tcp", "tls"));
    when(p.isAvailable()).thenReturn(true);
    when(p.unavailabilityReason()).thenReturn(Optional.empty());
    return new TransportRegistry().register(p);
  }

  private static NodeConfig load(String hocon) throws ConfigValidationException {
    return ConfigLoader.withoutOverrides().load(ConfigFactory.parseString(hocon), registry());
  }

  private static List<String> problems(String hocon) {
    return assertThrows(ConfigValidationException.class, () -> load(hocon)).problems();
  }

  @Test
  void defaultsAreReferenceConfs() throws Exception {
    NodeConfig c = load("");
    ListenerSettings s = c.listeners();
    assertEquals(new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024, 64, 256, 64, 262_144),
        s.peerRpcLimits());
    assertEquals(new ListenerLimits(Duration.ZERO, Duration.ofSeconds(10), 64, 64, 256, 0, 262_144), s.localLimits());
    assertEquals(List.of(), s.peerRpcAllow());
    assertEquals("rw-------", s.unixSocketMode());
    assertEquals(Optional.empty(), s.unixSocketGroup());
    assertEquals(Set.of(), s.unixAllowedUids());
    assertEquals(Optional.empty(), s.tls());
    assertEquals(20_000, s.rangeBlocksPerSecond());
    assertEquals(40_000, s.strangerRangeBlocksPerSecond());
    assertEquals(new MetricsSettings(false, "127.0.0.1", 9100, Duration.ofSeconds(60)), c.metrics());
    assertEquals(Duration.ZERO, c.listeners().localLimits().idleTimeout(), "local sockets: no idle timeout");
  }

  @Test
  void everySettingIsRead() throws Exception {
    NodeConfig c = load("peer_rpc_allow = [\"192.168.1.0/24\", \"::1/128\"]\n"
        + "limits.peer_rpc { idle_timeout = 2s, partial_frame_timeout = 1s, max_connections = 10, "
        + "max_connections_per_address = 2, max_pipelined = 8 }\n"
        + "unix_socket_mode = \"0660\"\nunix_socket_group = peerlink\nunix_allowed_uids = [1000, 1001]\n"
        + "metrics.interval = 0");
    ListenerSettings s = c.listeners();
    assertEquals(List.of("192.168.1.0/24", "::1/128"), s.peerRpcAllow());
    assertEquals(Duration.ofSeconds(2), s.peerRpcLimits().idleTimeout());
    assertEquals(Duration.ofSeconds(1), s.peerRpcLimits().partialFrameTimeout());
    assertEquals(10, s.peerRpcLimits().maxConnections());
    assertEquals(2, s.peerRpcLimits().maxConnectionsPerAddress());
    assertEquals(8, s.peerRpcLimits().maxPipelined());
    assertEquals("rw-rw----", s.unixSocketMode());
    assertEquals(Optional.of("peerlink"), s.unixSocketGroup());
    assertEquals(Set.of(1000L, 1001L), s.unixAllowedUids());
    assertEquals(Duration.ZERO, c.metrics().logInterval());
  }

  @Test
  void badValuesAreOneLineEachNamingKeyValueAndExpectation() {
    assertEquals(List.of(
        "peer_rpc_allow[0] = \"192.168.1.0/33\": expected a CIDR block such as 192.168.1.0/24, 127.0.0.1/32 or ::1/128",
        "limits.peer_rpc.idle_timeout = \"soon\": expected 0 for off, or a duration from 100ms to 1d",
        "limits.local.max_connections = 0: expected a number of connections 1-1000000",
        "unix_socket_mode = \"0777\": expected an octal mode with owner read/write and no execute bits, "
            + "e.g. \"0600\" or \"0660\"",
        "unix_allowed_uids[0] = -1: expected a uid 0-4294967294"),
        problems("peer_rpc_allow = [\"192.168.1.0/33\"]\nlimits.peer_rpc.idle_timeout = soon\n"
            + "limits.local.max_connections = 0\nunix_socket_mode = \"0777\"\nunix_allowed_uids = [-1]"));
  }

  @Test
  void tlsNeedsAllThreeReadableFilesAndMakesThePeerPortTls() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
    try {
      Path cert = Files.writeString(dir.resolve("c.pem"), "x");
      Path key = Files.writeString(dir.resolve("k.pem"), "x");
      Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
      NodeConfig c = load("peer_rpc_port = 19300\ntls { certificate_chain = \"" + cert + "\", private_key = \"" + key
          + "\", trusted_certificates = \"" + ca + "\" }");
      assertEquals(Endpoint.tls("0.0.0.0", 19300), c.peerRpc());
      assertEquals(cert, c.listeners().tls().orElseThrow().certificateChain());
      assertEquals(c.listeners().tls(), c.discovery().tls(), "TLS peers are queried with the same certificate");

      assertEquals(List.of("tls.private_key is empty: expected a PEM file, since the other tls.* paths are set "
              + "(set all three for TLS, or none)",
          "tls.trusted_certificates is empty: expected a PEM file, since the other tls.* paths are set "
              + "(set all three for TLS, or none)"),
          problems("tls.certificate_chain = \"" + cert + "\""));
      assertEquals(List.of("tls.private_key = \"" + dir.resolve("none.pem") + "\": expected a readable PEM file"),
          problems("tls { certificate_chain = \"" + cert + "\", private_key = \"" + dir.resolve("none.pem")
              + "\", trusted_certificates = \"" + ca + "\" }"));
    } finally {
      for (String f : new String[] {"c.pem", "k.pem", "ca.pem"}) {
        Files.deleteIfExists(dir.resolve(f));
      }
      Files.delete(dir);
    }
  }

  @Test
  void aTcpExecutorSocketMustBeOnLoopbackUnlessExecutorAllowSaysWho() throws Exception {
    for (String host : List.of("127.0.0.1", "127.1.2.3", "[::1]", "localhost")) {
      load("executor_receive_socket_path = \"tcp://" + host + ":19300\"");
    }
    List<String> p = problems("executor_receive_socket_path = \"tcp://0.0.0.0:19300\"\n"
        + "executor_send_socket_path = \"tcp://192.168.1.5:19301\"");
    assertEquals(2, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("executor_receive_socket_path = \"tcp://0.0.0.0:19300\": an executor socket serves"
        + " the full API"), p.get(0));
    assertTrue(p.get(0).contains("list who may connect in executor_allow"), p.get(0));
    assertTrue(p.get(1).startsWith("executor_send_socket_path = \"tcp://192.168.1.5:19301\""), p.get(1));
    NodeConfig allowed = load("executor_receive_socket_path = \"tcp://0.0.0.0:19300\"\n"
        + "executor_allow = [\"10.0.0.5/32\"]");
    assertEquals(List.of("10.0.0.5/32"), allowed.listeners().executorAllow());
    assertTrue(allowed.listeners().executorTcpAccess().refusal(Endpoint.tcp("127.0.0.1", 1), Optional.empty()).isPresent());
    assertTrue(allowed.listeners().executorTcpAccess().refusal(Endpoint.tcp("10.0.0.5", 1), Optional.empty()).isEmpty());
    assertTrue(load("").listeners().executorTcpAccess().refusal(Endpoint.tcp("10.0.0.5", 1), Optional.empty())
        .isPresent(), "without an allowlist only loopback");
  }

  @Test
  void masterUidsAreReadAndABadOneIsNamed() throws Exception {
    assertEquals(Set.of(1001L, 0L), load("master_uids = [1001, 0]").listeners().masterUids());
    assertEquals(Set.of(), load("").listeners().masterUids());
    assertEquals(List.of("master_uids[1] = -3: expected a uid 0-4294967294"), problems("master_uids = [1001, -3]"));
    assertEquals(List.of("executor_allow[0] = \"10.0.0.0/33\": expected a CIDR block such as 192.168.1.0/24,"
        + " 127.0.0.1/32 or ::1/128"), problems("executor_allow = [\"10.0.0.0/33\"]"));
  }

  @Test
  void everyDurationAndBlockCountHasBoundsThatNameTheKey() throws Exception {
    assertEquals(List.of(
        "discovery.interval = \"1ns\": expected a duration from 100ms to 1h",
        "discovery.timeout = \"400d\": expected a duration from 100ms to 10m",
        "catch_up.fetch_timeout = \"50ms\": expected a duration from 100ms to 10m",
        "limits.peer_rpc.partial_frame_timeout = \"1us\": expected 0 for off, or a duration from 100ms to 1h",
        "metrics.interval = \"10ms\": expected 0 for off, or a duration from 1s to 1d",
        "health.backoff[0] = \"3:1ms\": expected failures 1-1000000 and a skip from 100ms to 1d",
        "storage.retention_blocks = 9000000000: expected 0 (keep every block) or a number of blocks 1-1000000000",
        "discovery.min_peers = 20000: expected a number of peers 0-10000"),
        problems("discovery.interval = 1ns\ndiscovery.timeout = 400d\ncatch_up.fetch_timeout = 50ms\n"
            + "limits.peer_rpc.partial_frame_timeout = 1us\nmetrics.interval = 10ms\nhealth.backoff = \"3:1ms\"\n"
            + "storage.retention_blocks = 9000000000\ndiscovery.min_peers = 20000").stream().sorted(
                java.util.Comparator.comparing(p -> order(p))).toList());
    NodeConfig edges = load("discovery.interval = 100ms\ndiscovery.timeout = 10m\nmetrics.interval = 0\n"
        + "limits.local.idle_timeout = 1d");
    assertEquals(Duration.ofMillis(100), edges.discovery().checkInterval());
    assertEquals(Duration.ZERO, edges.metrics().logInterval());
  }

  /** The order the test lists the keys in (the validator reports in its own order). */
  private static int order(String problem) {
    List<String> keys = List.of("discovery.interval", "discovery.timeout", "catch_up.fetch_timeout",
        "limits.peer_rpc.partial_frame_timeout", "metrics.interval", "health.backoff", "storage.retention_blocks",
        "discovery.min_peers");
    for (int i = 0; i < keys.size(); i++) {
      if (problem.startsWith(keys.get(i))) {
        return i;
      }
    }
    return keys.size();
  }

  @Test
  void peerPortFairnessSettingsAreReadAndChecked() throws Exception {
    ListenerSettings s = load("limits.peer_rpc { reserved_for_peers = 8, max_unanswered_bytes = 65536,"
        + " range_blocks_per_second = 500, stranger_range_blocks_per_second = 700 }").listeners();
    assertEquals(8, s.peerRpcLimits().reservedConnections());
    assertEquals(700, s.strangerRangeBlocksPerSecond());
    assertEquals(40_000, load("").listeners().strangerRangeBlocksPerSecond());
    assertEquals(65536, s.peerRpcLimits().maxUnansweredBytes());
    assertEquals(500, s.rangeBlocksPerSecond());
    assertEquals(64, load("").listeners().peerRpcLimits().reservedConnections());
    assertEquals(5, load("limits.peer_rpc.max_connections = 10").listeners().peerRpcLimits().reservedConnections(),
        "the default keeps half of a smaller cap someone set");
    assertEquals(List.of("limits.peer_rpc.reserved_for_peers = 10: expected fewer than limits.peer_rpc.max_connections"
        + " (10)"), problems("limits.peer_rpc { max_connections = 10, reserved_for_peers = 10 }"));
    assertEquals(List.of("limits.peer_rpc.max_unanswered_bytes = 10: expected a number of bytes 4096-1073741824"),
        problems("limits.peer_rpc.max_unanswered_bytes = 10"));
    assertEquals(List.of("limits.peer_rpc.stranger_range_blocks_per_second = -1: expected a number of blocks"
        + " 0-1000000000 (0 = unlimited)"), problems("limits.peer_rpc.stranger_range_blocks_per_second = -1"));
  }

  @Test
  void configuredPeersRangeBudgetIsReadAndChecked() throws Exception {
    assertEquals(900, load("limits.peer_rpc.peer_range_blocks_per_second = 900").listeners().peerRangeBlocksPerSecond());
    assertEquals(200_000, load("").listeners().peerRangeBlocksPerSecond());
    assertEquals(0, load("limits.peer_rpc.peer_range_blocks_per_second = 0").listeners().peerRangeBlocksPerSecond(),
        "0 = unlimited");
    assertEquals(List.of("limits.peer_rpc.peer_range_blocks_per_second = 1000000001: expected a number of blocks"
        + " 0-1000000000 (0 = unlimited)"), problems("limits.peer_rpc.peer_range_blocks_per_second = 1000000001"));
  }
}
