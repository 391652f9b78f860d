package io.peerlink.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.TestNodes;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.ChainOptions;
import io.peerlink.node.master.ChainState;
import io.peerlink.node.role.MasterRole;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The commands' output and exit codes, against real masters on real sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTest {

  private Path dir;
  private TransportRegistry transports;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    dir = TestNodes.tempDir();
    transports = TransportRegistry.installed();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    transports.close();
    TestNodes.deleteTree(dir);
  }

  record Run(int exitCode, String out, String err) {
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PeerlinkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A running master (no node role) with {@code blocks} commits of epoch 1 applied. */
  private MasterRole master(int id, long blocks) throws Exception {
    NodeConfig config = TestNodes.config(dir, id, List.of());
    TestNodes.State state = TestNodes.state(dir.resolve("s" + id));
    MasterRole master = new MasterRole(config, transports, state.masterState(), state.intake());
    master.start();
    toClose.add(state);
    toClose.add(master);
    if (blocks > 0) {
      try (CommitSender s = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
        s.send(CommitSender.syntheticCommits(1, 1, blocks), Duration.ofSeconds(10));
      }
      try (MasterClient c = new MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
        TestNodes.awaitLastBlock(c, blocks, Duration.ofSeconds(20));
      }
    }
    return master;
  }

  /** Stops a master from {@link #master} and closes its state, so its store is free for an offline command. */
  private void stop(MasterRole running) throws Exception {
    running.close();
    for (AutoCloseable c : toClose) {
      if (c instanceof TestNodes.State) {
        c.close();
      }
    }
  }

  private Path nodeConfigFile(MasterRole local, int localId, List<Endpoint> peers) throws Exception {
    StringBuilder sb = new StringBuilder();
    sb.append("executor_receive_socket_path = \"").append(dir.resolve("master" + localId + ".sock")).append("\"\n");
    sb.append("peer_go_master_sockets = [");
    for (int i = 0; i < peers.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append('"').append(peers.get(i)).append('"');
    }
    sb.append("]\ndiscovery.timeout = 2s\nspeed_multiplier = 3 # a seed key the node ignores\n");
    Path f = dir.resolve("node.toml");
    Files.writeString(f, sb.toString());
    return f;
  }

  @Test
  void storeSetEpochRepairsAStoppedMastersEpochAndIsRefusedWhileItRuns() throws Exception {
    MasterRole running = master(0, 3);
    Path storage = dir.resolve("s0");
    Run refused = cli("store", "set-epoch", "--storage", storage.toString(), "--epoch", "1");
    assertEquals(1, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("in use by another master"), refused.err());
    stop(running);
    Run poisoned = cli("store", "set-epoch", "--storage", storage.toString(), "--epoch", "18446744073709551615",
        "--start-ms", "1700000000000");
    assertEquals(0, poisoned.exitCode(), poisoned.toString());
    assertTrue(poisoned.out().startsWith("store " + storage + ": epoch 1 (start "), poisoned.out());
    assertTrue(poisoned.out().contains("-> epoch 18446744073709551615 (start 1700000000000 ms, boundary block 3)"),
        poisoned.out());
    Run repaired = cli("store", "set-epoch", "--storage", storage.toString(), "--epoch", "1");
    assertEquals(0, repaired.exitCode(), repaired.toString());
    assertTrue(repaired.out().contains("epoch 18446744073709551615 (start 1700000000000 ms) -> epoch 1 (start "),
        repaired.out());
    assertTrue(repaired.out().contains("1 entry of higher epochs dropped; last block 3"), repaired.out());
    Run bad = cli("store", "set-epoch", "--storage", storage.toString(), "--epoch", "-1");
    assertEquals(1, bad.exitCode());
    assertTrue(bad.err().contains("--epoch = \"-1\": expected a number 0 to 18446744073709551615"), bad.err());
    Run none = cli("store", "set-epoch", "--storage", dir.resolve("nothing").toString(), "--epoch", "1");
    assertEquals(1, none.exitCode());
    assertTrue(none.err().contains("holds no chain store"), none.err());
  }

  @Test
  void storeRollbackNeedsYesIsRefusedWhileTheMasterRunsAndRollsAStoppedStoreBack() throws Exception {
    MasterRole running = master(0, 5);
    Path storage = dir.resolve("s0");
    String path = storage.toString();
    Run refused = cli("store", "rollback", "--storage", path, "--to-block", "2", "--yes");
    assertEquals(1, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("in use by another master"), refused.err());
    stop(running);
    Run unconfirmed = cli("store", "rollback", "--storage", path, "--to-block", "2");
    assertEquals(1, unconfirmed.exitCode(), unconfirmed.toString());
    assertTrue(unconfirmed.err().startsWith("peerlink store rollback: store " + storage + ": would roll back (nothing"
        + " changed) from block 5 (hash "), unconfirmed.err());
    assertTrue(unconfirmed.err().contains("3 blocks removed; epoch 1 -> 1;"), unconfirmed.err());
    assertTrue(unconfirmed.err().endsWith("come back only by catch-up from peers: add --yes to do it\n"), unconfirmed.err());
    Run dry = cli("store", "rollback", "--storage", path, "--to-block", "2", "--dry-run", "--yes");
    assertEquals(0, dry.exitCode(), dry.toString());
    assertTrue(dry.out().contains("would roll back (nothing changed) from block 5"), dry.out());
    Run above = cli("store", "rollback", "--storage", path, "--to-block", "6", "--yes");
    assertEquals(1, above.exitCode());
    assertEquals("peerlink store rollback: block 6 is above the store's last block 5 (it holds blocks 1..5, base block"
        + " 0): nothing to roll back to\n", above.err());
    Run bad = cli("store", "rollback", "--storage", path, "--to-block", "two", "--yes");
    assertEquals(1, bad.exitCode());
    assertTrue(bad.err().contains("--to-block = \"two\": expected a block number"), bad.err());

    Run done = cli("store", "rollback", "--storage", path, "--to-block", "2", "--yes");
    assertEquals(0, done.exitCode(), done.toString());
    assertTrue(done.out().startsWith("store " + storage + ": rolled back from block 5 (hash "), done.out());
    assertTrue(done.out().contains(" to block 2 (hash "), done.out());
    Path config = dir.resolve("stopped.toml"); // the same store, found as run finds it
    Files.writeString(config, "executor_receive_socket_path = \"" + dir.resolve("stopped.sock") + "\"\n"
        + "peer_go_master_sockets = []\nstorage_path = \"" + storage + "\"\n");
    Run again = cli("store", "rollback", "--config", config.toString(), "--to-block", "2", "--yes");
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.out().contains("block 2 (hash "), again.out());
    assertTrue(again.out().endsWith("is already the last block: nothing to roll back\n"), again.out());
    try (ChainState state = ChainState.open(storage, ChainOptions.configured(0, Duration.ofMinutes(10)))) {
      assertEquals(2, state.lastBlockNumber());
    }
    Run both = cli("store", "rollback", "--storage", path, "--config", config.toString(), "--to-block", "1", "--yes");
    assertEquals(2, both.exitCode(), both.toString());
    assertTrue(both.err().contains("mutually exclusive"), both.err());
    Files.writeString(config, "storage_path = 5\n");
    Run badConfig = cli("store", "rollback", "--config", config.toString(), "--to-block", "1", "--yes");
    assertEquals(1, badConfig.exitCode(), badConfig.toString());
    assertTrue(badConfig.err().startsWith("peerlink store rollback: the config " + config + " cannot be used:"),
        badConfig.err());
  }

  @Test
  void statusAgainstNothingExitsOne() {
    Run r = cli("status", dir.resolve("nobody.sock").toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("master at unix://" + dir.resolve("nobody.sock") + " is unreachable"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void statusAgainstABadEndpointExitsOneAndSaysWhy() {
    Run r = cli("status", "tcp://127.0.0.1");
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("invalid endpoint 'tcp://127.0.0.1'"), r.err());
  }

  @Test
  void statusPrintsOneLineOverEitherListener() throws Exception {
    MasterRole m = master(0, 7);
    Endpoint tcp = m.peerRpcEndpoint().orElseThrow();
    Run r = cli("status", tcp.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().matches(tcp + " epoch=1 block=7 epoch_start_ms=\\d+\\R"), r.out());
    Run u = cli("status", dir.resolve("master0.sock").toString());
    assertEquals(0, u.exitCode(), u.toString());
    assertTrue(u.out().startsWith("unix://" + dir.resolve("master0.sock") + " epoch=1 block=7 "), u.out());
  }

  @Test
  void checkSyncReadyExitsZero() throws Exception {
    MasterRole local = master(0, 30);
    MasterRole peer = master(1, 32);
    Run r = cli("check-sync", "--config", nodeConfigFile(local, 0, List.of(peer.peerRpcEndpoint().orElseThrow()))
        .toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sync status: Ready"), r.out());
  }

  @Test
  void checkSyncBehindExitsThree() throws Exception {
    MasterRole local = master(0, 3);
    MasterRole peer = master(1, 40);
    Run r = cli("check-sync", "--config", nodeConfigFile(local, 0, List.of(peer.peerRpcEndpoint().orElseThrow()))
        .toString());
    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sync status: SyncingCommits"), r.out());
  }

  @Test
  void checkSyncWithItsOwnMasterDownExitsOne() throws Exception {
    MasterRole peer = master(1, 5);
    Run r = cli("check-sync", "--config", nodeConfigFile(null, 0, List.of(peer.peerRpcEndpoint().orElseThrow()))
        .toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sync status: Initializing"), r.out());
  }

  @Test
  void checkSyncWithABadConfigExitsOneNamingTheKey() throws Exception {
    Path f = dir.resolve("bad.toml");
    Files.writeString(f, "peer_rpc_port = \"nineteen\"\n");
    Run r = cli("check-sync", "--config", f.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains("peer_rpc_port = \"nineteen\": expected a port number 1-65535 (bad.toml line 1)"),
        r.err());
  }

  @Test
  void transportsListsUnixAndTcp() {
    Run r = cli("transports");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("unix ") && l.endsWith(" available")), r.out());
    // transport-tcp serves tcp and tls: its line starts "tcp,tls ".
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("tcp,tls ") && l.endsWith(" available")), r.out());
  }

  @Test
  void sendBlocksFeedsTheBlockChannel() throws Exception {
    MasterRole m = master(0, 0);
    Run r = cli("send-blocks", dir.resolve("exec0.sock").toString(), "--epoch", "4", "--from", "1", "--to", "25");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sent 25 commits"), r.out());
    try (MasterClient c = new MasterClient(transports, m.peerRpcEndpoint().orElseThrow(), Duration.ofSeconds(5))) {
      TestNodes.awaitLastBlock(c, 25, Duration.ofSeconds(20));
      assertEquals(4L, c.currentEpoch().get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void sendBlocksToNothingExitsOne() {
    Run r = cli("send-blocks", dir.resolve("nobody.sock").toString(), "--epoch", "1", "--from", "1", "--to", "2");
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains(dir.resolve("nobody.sock").toString()), r.err());
  }

  @Test
  void aMissingRequiredOptionIsAUsageError() {
    Run r = cli("check-sync");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("--config"), r.err());
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** The one JSON object a --json command prints, parsed; fails unless stdout is exactly one line of it. */
  private static com.fasterxml.jackson.databind.JsonNode json(Run r) throws Exception {
    assertEquals(1, r.out().lines().count(), "one line: " + r.out());
    com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(r.out());
    assertTrue(n.isObject(), r.out());
    return n;
  }

  @Test
  void checkSyncJsonGivesTheStateBothTipsAndEachPeerWithTheSameExitCode() throws Exception {
    MasterRole local = master(0, 3);
    MasterRole peer = master(1, 40);
    Endpoint dead = Endpoint.tcp("127.0.0.1", 1);
    Run r = cli("check-sync", "--json", "--config", nodeConfigFile(local, 0,
        List.of(peer.peerRpcEndpoint().orElseThrow(), dead)).toString());
    assertEquals(3, r.exitCode(), r.toString());
    var o = json(r);
    assertEquals("SyncingCommits", o.get("state").asText());
    assertEquals(false, o.get("ready").asBoolean());
    assertEquals(3, o.get("exit_code").asInt());
    assertEquals(3, o.get("local").get("block").asLong());
    assertEquals(1, o.get("local").get("epoch").asLong());
    assertEquals(40, o.get("best").get("block").asLong());
    assertEquals(peer.peerRpcEndpoint().orElseThrow().toString(), o.get("best").get("peer").asText());
    assertEquals(37, o.get("gap").asLong());
    assertEquals(2, o.get("peers").size());
    var answered = o.get("peers").get(0);
    assertEquals("answered", answered.get("outcome").asText());
    assertEquals(40, answered.get("block").asLong());
    assertTrue(answered.get("latency_ms").asDouble() > 0, answered::toString);
    assertTrue(answered.get("error").isNull());
    var refused = o.get("peers").get(1);
    assertEquals(dead.toString(), refused.get("peer").asText());
    assertEquals("refused", refused.get("outcome").asText());
    assertTrue(refused.get("error").asText().startsWith("refused"), refused::toString);
    assertTrue(refused.get("block").isNull());
    assertEquals("answered", o.get("local_master").get("outcome").asText());
  }

  @Test
  void jsonOnStatusAndTransportsAndOnFailures() throws Exception {
    MasterRole m = master(0, 7);
    Run ok = cli("status", "--json", m.peerRpcEndpoint().orElseThrow().toString());
    assertEquals(0, ok.exitCode(), ok.toString());
    var s = json(ok);
    assertEquals(7, s.get("block").asLong());
    assertEquals(1, s.get("epoch").asLong());
    assertTrue(s.get("epoch_start_ms").asLong() > 0);

    Run down = cli("status", "--json", dir.resolve("nobody.sock").toString());
    assertEquals(1, down.exitCode());
    assertTrue(json(down).get("error").asText().contains("is unreachable"), down.out());

    Path bad = dir.resolve("bad.toml");
    Files.writeString(bad, "peer_rpc_port = \"nineteen\"\n");
    Run config = cli("check-sync", "--json", "--config", bad.toString());
    assertEquals(1, config.exitCode());
    assertTrue(json(config).get("problems").get(0).asText().startsWith("peer_rpc_port = \"nineteen\""), config.out());

    Run t = cli("transports", "--json");
    assertEquals(0, t.exitCode(), t.toString());
    var list = json(t).get("transports");
    boolean tcp = false;
    for (var p : list) {
      if (p.get("schemes").toString().equals("[\"tcp\",\"tls\"]")) {
        tcp = p.get("available").asBoolean() && p.get("reason").isNull();
      }
    }
    assertTrue(tcp, t.out());
  }
}
