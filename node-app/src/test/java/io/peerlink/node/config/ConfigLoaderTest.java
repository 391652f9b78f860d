package io.peerlink.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.peerlink.discovery.core.discovery.BackoffStep;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  /** Config validation only asks the registry which schemes exist: a mocked provider suffices. */
  private static TransportRegistry registry() {
    TransportProvider p = mock(TransportProvider.class);
    when(p.schemes()).thenReturn(Set.of("unix", "tcp"));
    when(p.isAvailable()).thenReturn(true);
    when(p.unavailabilityReason()).thenReturn(Optional.empty());
    return new TransportRegistry().register(p);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/" + name).toURI());
  }

  private static NodeConfig load(String hocon) throws ConfigValidationException {
    return ConfigLoader.withoutOverrides().load(ConfigFactory.parseString(hocon), registry());
  }

  private static List<String> problems(String hocon) {
    return assertThrows(ConfigValidationException.class, () -> load(hocon)).problems();
  }

  @Test
  void seedNode0LoadsAsItIs() throws Exception {
    NodeConfig c = ConfigLoader.withoutOverrides().load(resource("node_0.toml"), registry());
    assertEquals(Endpoint.parse("/tmp/executor0.sock"), c.blockChannel());
    assertEquals(Endpoint.parse("unix:///tmp/rust-go-master.sock"), c.localMaster());
    assertEquals(List.of(Endpoint.parse("tcp://192.168.1.101:19201"), Endpoint.parse("tcp://192.168.1.102:19202")),
        c.peers());
    assertEquals(Endpoint.tcp("0.0.0.0", 19200), c.peerRpc());
  }

  @Test
  void seedNodes1And2LoadWithTheirOwnPortsAndPeers() throws Exception {
    NodeConfig n1 = ConfigLoader.withoutOverrides().load(resource("node_1.toml"), registry());
    assertEquals(19201, n1.peerRpc().port());
    assertEquals(Endpoint.parse("/tmp/executor1.sock"), n1.blockChannel());
    assertEquals(List.of(Endpoint.parse("tcp://192.168.1.100:19200"), Endpoint.parse("tcp://192.168.1.102:19202")),
        n1.peers());
    NodeConfig n2 = ConfigLoader.withoutOverrides().load(resource("node_2.toml"), registry());
    assertEquals(19202, n2.peerRpc().port());
    assertEquals(List.of(Endpoint.parse("tcp://192.168.1.100:19200"), Endpoint.parse("tcp://192.168.1.101:19201")),
        n2.peers());
  }

  @Test
  void seedLocalConfigTakesTheRestFromReferenceConf() throws Exception {
    NodeConfig c = ConfigLoader.withoutOverrides().load(resource("local.toml"), registry());
    assertEquals(List.of(Endpoint.parse("unix:///tmp/rust-go-standard-master.sock")), c.peers());
    assertEquals(19200, c.peerRpc().port());
    assertEquals(0, c.nodeId());
    // reference.conf's defaults are discovery-core's (the seed's numbers), but for the safe policy and
    // the seed's pipelined catch-up (discovery-core's default is the sequential one).
    assertEquals(DiscoveryOptions.builder().selectionPolicy(SelectionPolicy.quorum()).batchSize(200)
        .fetchLimits(new FetchLimits(16, 64)).build(), c.discovery());
    DiscoveryOptions d = c.discovery();
    assertEquals(Duration.ofSeconds(5), d.queryTimeout());
    assertEquals(Duration.ofSeconds(5), d.checkInterval());
    assertEquals(5, d.gapThreshold());
    assertEquals(SelectionPolicy.quorum(), d.selectionPolicy());
    assertEquals(0, d.minimumPeers());
    assertEquals(List.of(BackoffStep.of(3, Duration.ofSeconds(10)), BackoffStep.of(5, Duration.ofSeconds(30)),
        BackoffStep.of(10, Duration.ofSeconds(60))), d.backoffSteps());
    assertEquals(200, d.batchSize());
    assertEquals(Duration.ofSeconds(30), d.noProgressTimeout());
    assertEquals(0, c.retentionBlocks(), "0: keep every block");
  }

  @Test
  void aTomlExtensionIsReadAsHocon(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.toml");
    Files.writeString(f, "node_id = 7\npeer_rpc_port = 19299 # a comment\n");
    NodeConfig c = ConfigLoader.withoutOverrides().load(f, registry());
    assertEquals(7, c.nodeId());
    assertEquals(19299, c.peerRpc().port());
  }

  @Test
  void peerRpcAddressesAreBareHostPortsJoinedWithoutDuplicates() throws Exception {
    NodeConfig c = load("peer_go_master_sockets = [\"tcp://10.0.0.2:19201\"]\n"
        + "peer_rpc_addresses = [\"10.0.0.2:19201\", \"10.0.0.3:19202\"]");
    assertEquals(List.of(Endpoint.parse("tcp://10.0.0.2:19201"), Endpoint.parse("tcp://10.0.0.3:19202")), c.peers());
  }

  @Test
  void quorumTakesItsF() throws Exception {
    assertEquals(SelectionPolicy.quorum(1),
        load("discovery.policy = quorum\ndiscovery.quorum_f = 1").discovery().selectionPolicy());
    assertEquals(SelectionPolicy.quorum(1), load("discovery.quorum_f = 1").discovery().selectionPolicy(),
        "quorum is the default");
    assertEquals(SelectionPolicy.highest(),
        load("discovery.policy = highest\ndiscovery.quorum_f = 1").discovery().selectionPolicy());
  }

  @Test
  void banDurationIsBoundedAndNamed() throws Exception {
    assertEquals(java.time.Duration.ofHours(1), load("").discovery().banDuration(), "reference.conf's default");
    assertEquals(java.time.Duration.ofMinutes(10), load("discovery.ban_duration = 10m").discovery().banDuration());
    assertEquals(List.of("discovery.ban_duration = \"1s\": expected a duration from 10s to 7d"),
        problems("discovery.ban_duration = 1s"));
    assertEquals(List.of("discovery.ban_duration = \"30d\": expected a duration from 10s to 7d"),
        problems("discovery.ban_duration = 30d"));
  }

  @Test
  void keysTheNodeDoesNotUseAreListedNotFatal() throws Exception {
    Config user = ConfigFactory.parseString("protocol_key_path = \"/keys/p\"\nspeed_multiplier = 2\n"
        + "ntp_servers = [\"pool.ntp.org\"]\nepochs_to_keep = 3\npeer_rpc_port = 19200\ndiscovery.timout = 2s");
    assertEquals(Set.of("protocol_key_path", "speed_multiplier", "ntp_servers", "epochs_to_keep", "discovery.timout"),
        ConfigLoader.ignoredKeys(user));
    ConfigLoader.withoutOverrides().load(user, registry());
  }

  @Test
  void aPortThatIsNotANumberIsNamedWithItsValue() {
    assertEquals(List.of("peer_rpc_port = \"nineteen\": expected a port number 1-65535"),
        problems("peer_rpc_port = \"nineteen\""));
  }

  @Test
  void aPortOutOfRangeIsNamed() {
    assertEquals(List.of("peer_rpc_port = 70000: expected a port number 1-65535"), problems("peer_rpc_port = 70000"));
  }

  @Test
  void aBadPeerEndpointIsNamedWithItsIndex() {
    List<String> p = problems("peer_go_master_sockets = [\"tcp://10.0.0.2:19201\", \"tcp://10.0.0.3\"]");
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("peer_go_master_sockets[1] = \"tcp://10.0.0.3\": expected a port"), p.get(0));
  }

  @Test
  void anEndpointOfAnUninstalledSchemeNamesTheInstalledOnes() {
    List<String> p = problems("peer_rpc_addresses = [\"quic://10.0.0.2:19201\"]");
    assertTrue(p.get(0).startsWith("peer_rpc_addresses[0] = \"quic://10.0.0.2:19201\": expected one of the installed "
        + "schemes [tcp, unix]"), p.get(0));
  }

  @Test
  void aPeerWithPortZeroIsRefused() {
    List<String> p = problems("peer_rpc_addresses = [\"10.0.0.2:0\"]");
    assertTrue(p.get(0).startsWith("peer_rpc_addresses[0] = \"10.0.0.2:0\": expected a port 1-65535"), p.get(0));
  }

  @Test
  void everyProblemIsReportedAtOnceOneLineEach() {
    List<String> p = problems("peer_rpc_port = 0\ndiscovery.policy = loudest\ndiscovery.timeout = soon\n"
        + "catch_up.batch_size = 0\nhealth.backoff = [{failures = 5, skip = 1s}, {failures = 3, skip = 2s}]\n"
        + "peer_rpc_bind = \"not a host\"\nnode_id = -1\ndiscovery.quorum_f = many");
    assertEquals(List.of(
        "node_id = -1: expected a node number 0-2147483647",
        "peer_rpc_port = 0: expected a port number 1-65535",
        "peer_rpc_bind = \"not a host\": expected a host name or IPv4 address, got 'not a host'",
        "discovery.timeout = \"soon\": expected a duration such as 5s or 500ms, from 100ms to 10m",
        "discovery.policy = \"loudest\": expected highest or quorum",
        "discovery.quorum_f = \"many\": expected auto or a number of faulty peers 0-10000",
        "health.backoff[1] = {\"failures\":3,\"skip\":\"2s\"}: expected steps in increasing order of failures, "
            + "e.g. [{failures = 3, skip = 10s}] or \"3:10s,5:30s,10:60s\"",
        "catch_up.batch_size = 0: expected a number of blocks 1-65536"), p);
  }

  @Test
  void theSeedsCommitSyncKeysSetCatchUpAndWinOverTheOlderBatchSize() throws Exception {
    assertEquals(64, load("catch_up.batch_size = 64").discovery().batchSize());
    assertEquals(300, load("catch_up.batch_size = 64\ncommit_sync_batch_size = 300").discovery().batchSize());
    assertEquals(new FetchLimits(1, 2), load("commit_sync_parallel_fetches = 1\ncommit_sync_batches_ahead = 2")
        .discovery().fetchLimits());
    assertEquals(new FetchLimits(16, 64, 1L << 20), load("catch_up.max_bytes_ahead = 1048576").discovery()
        .fetchLimits());
    assertEquals(List.of("catch_up.max_bytes_ahead = 1000: expected a number of bytes 1048576-1099511627776"),
        problems("catch_up.max_bytes_ahead = 1000"));
    assertEquals(List.of(
        "commit_sync_batch_size = 0: expected a number of blocks 1-65536",
        "commit_sync_parallel_fetches = 0: expected a number of fetches in flight 1-256 (1 = one at a time)",
        "commit_sync_batches_ahead = 5000: expected a number of batches 1-4096"),
        problems("commit_sync_batch_size = 0\ncommit_sync_parallel_fetches = 0\ncommit_sync_batches_ahead = 5000"));
  }

  @Test
  void theEpochBoundsAreConfiguredAndBounded() throws Exception {
    assertEquals(10, load("").discovery().maxEpochJump());
    assertEquals(java.time.Duration.ofMinutes(10), load("").master().maxClockSkew());
    assertEquals(3, load("discovery.max_epoch_jump = 3").discovery().maxEpochJump());
    assertEquals(java.time.Duration.ofSeconds(30), load("master.max_clock_skew = 30s").master().maxClockSkew());
    assertEquals(List.of("discovery.max_epoch_jump = 0: expected a number of epochs 1-1000000000",
        "master.max_clock_skew = \"2d\": expected a duration from 1s to 1d"),
        problems("discovery.max_epoch_jump = 0\nmaster.max_clock_skew = 2d"));
  }

  @Test
  void aBadBindAddressIsNamed() {
    List<String> p = problems("peer_rpc_bind = \"not a host\"");
    assertTrue(p.get(0).startsWith("peer_rpc_bind = \"not a host\": expected a host name or IPv4 address"), p.get(0));
  }

  @Test
  void aProblemInAFileNamesTheFileAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("node_9.toml");
    Files.writeString(f, "node_id = 9\n\npeer_rpc_port = \"nineteen\"\n");
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> ConfigLoader.withoutOverrides().load(f, registry()));
    assertEquals(List.of("peer_rpc_port = \"nineteen\": expected a port number 1-65535 (node_9.toml line 3)"),
        e.problems());
  }

  @Test
  void aMissingFileIsNamed(@TempDir Path dir) {
    Path f = dir.resolve("nope.toml");
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> ConfigLoader.withoutOverrides().load(f, registry()));
    assertEquals(List.of("config file " + f + ": not found (or not a regular file)"), e.problems());
  }

  @Test
  void aFileThatDoesNotParseIsNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.toml");
    Files.writeString(f, "peer_rpc_port = [\n");
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> ConfigLoader.withoutOverrides().load(f, registry()));
    assertTrue(e.getMessage().startsWith("config file " + f + ": "), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"include url(\"http://198.18.0.1/peers.conf\")", "include file(\"/etc/passwd\")",
      "include classpath(\"reference.conf\")", "include \"other.conf\""})
  void includesAreRefusedBeforeAnythingIsFetched(String include, @TempDir Path dir) throws Exception {
    Path f = dir.resolve("node.toml");
    Files.writeString(f, "node_id = 1\n" + include + "\n");
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> ConfigLoader.withoutOverrides().load(f, registry()));
    assertTrue(e.getMessage().startsWith("config file " + f + ": ") && e.getMessage().contains("is not allowed"),
        e.getMessage());
  }

  @Test
  void systemPropertiesOverrideEnvironmentWhichOverridesTheFile() throws Exception {
    Properties props = new Properties();
    props.setProperty("peerlink.peer_rpc_port", "19300");
    props.setProperty("peerlink.discovery.policy", "quorum");
    props.setProperty("java.version", "17"); // not ours: ignored
    Map<String, String> env = Map.of(
        "PEERLINK_PEER_RPC_PORT", "19400",
        "PEERLINK_DISCOVERY_TIMEOUT", "2s",
        "PEERLINK_PEER_RPC_ADDRESSES", "10.0.0.2:19201, 10.0.0.3:19202",
        "PEERLINK_HEALTH_BACKOFF", "2:1s,4:5s");
    NodeConfig c = new ConfigLoader(env, props)
        .load(ConfigFactory.parseString("peer_rpc_port = 19200\ndiscovery.timeout = 4s"), registry());
    assertEquals(19300, c.peerRpc().port());
    assertEquals(SelectionPolicy.quorum(), c.discovery().selectionPolicy());
    assertEquals(Duration.ofSeconds(2), c.discovery().queryTimeout());
    assertEquals(List.of(Endpoint.parse("tcp://10.0.0.2:19201"), Endpoint.parse("tcp://10.0.0.3:19202")), c.peers());
    assertEquals(List.of(BackoffStep.of(2, Duration.ofSeconds(1)), BackoffStep.of(4, Duration.ofSeconds(5))),
        c.discovery().backoffSteps());
  }

  @Test
  void aBadOverrideNamesWhereItCameFrom() {
    Map<String, String> env = Map.of("PEERLINK_PEER_RPC_PORT", "nineteen");
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> new ConfigLoader(env, new Properties()).load(ConfigFactory.parseString(""), registry()));
    assertEquals(1, e.problems().size());
    assertTrue(e.problems().get(0).startsWith("peer_rpc_port = \"nineteen\": expected a port number 1-65535 (from "
        + "environment variables PEERLINK_*"), e.problems().get(0));
  }

  @Test
  void envNamesAreTheKeyUpperCasedWithUnderscores() {
    assertEquals("PEERLINK_DISCOVERY_MIN_PEERS", ConfigLoader.envName("discovery.min_peers"));
    assertEquals("PEERLINK_PEER_RPC_PORT", ConfigLoader.envName("peer_rpc_port"));
  }

  @Test
  void everyReferenceKeyHasAComment() {
    ConfigLoader.reference().entrySet().forEach(e ->
        assertTrue(!e.getValue().origin().comments().isEmpty(), "no comment on " + e.getKey()));
  }

  @Test
  void aTrustedCheckpointIsABlockAndA32ByteHash() throws Exception {
    assertTrue(load("").master().trustedCheckpoint().isEmpty(), "none by default");
    String hex = "ab".repeat(32);
    NodeConfig c = load("catch_up.trusted_checkpoint { block = 6001, hash = \"" + hex + "\" }");
    assertEquals(new io.peerlink.discovery.core.catchup.TrustedCheckpoint(6001, java.util.HexFormat.of().parseHex(hex)),
        c.master().trustedCheckpoint().orElseThrow());
    assertEquals(List.of("catch_up.trusted_checkpoint.hash = \"abc\": expected the block's hash as 64 hex digits (32 bytes),"
        + " got 3 characters \"abc\""), problems("catch_up.trusted_checkpoint { block = 5, hash = abc }"));
    assertEquals(List.of("catch_up.trusted_checkpoint.hash = \"\": expected the block's hash as 64 hex digits"
        + " (32 bytes), got 0 characters (reference.conf line 153)"), problems("catch_up.trusted_checkpoint.block = 5"));
    assertEquals(1, problems("catch_up.trusted_checkpoint { block = 5, hash = \"" + "zz".repeat(32) + "\" }").size());
    assertEquals(List.of("catch_up.trusted_checkpoint.block = -1: expected a block number of at least 1, or 0 for no"
        + " checkpoint"), problems("catch_up.trusted_checkpoint { block = -1, hash = \"" + hex + "\" }"));
    assertTrue(problems("catch_up.trusted_checkpoint.hash = \"" + hex + "\"").get(0)
        .startsWith("catch_up.trusted_checkpoint.block = 0: expected a block number of at least 1 for the hash"));
  }
}
