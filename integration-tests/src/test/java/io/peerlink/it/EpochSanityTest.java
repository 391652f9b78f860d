package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Epoch sanity on the packaged node (issue 14 item 3): a liar claiming epoch 2^64-1 beside honest
 * peers does not move the node's master, under the default policy nor under {@code highest}; a
 * master's store poisoned with epoch 2^64-1 is repaired with {@code peerlink store set-epoch}.
 */
class EpochSanityTest {

  private static final Duration STEP = SeedScenario.STEP;
  private static final String MAX = "18446744073709551615"; // 2^64-1

  @Test
  void aLiarClaimingTheLastEpochBesideHonestPeersDoesNotMoveTheMaster() throws Exception {
    try (Cluster cluster = new Cluster(); FakePeer liar = FakePeer.claiming(-1L, 100)) {
      int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick(), LoopbackPorts.pick()};
      for (int node = 0; node < 2; node++) {
        Path config = cluster.writeConfig(node, ports[node], "127.0.0.1", List.of(), Map.of());
        cluster.startNode("honest" + node, List.of(), node, "--master-only", "--config", config.toString());
        cluster.feed(node, 5, 1, 100);
        cluster.feed(node, 6, 101, 101); // the honest network moved on to epoch 6
        cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(node), 101, STEP);
      }
      List<String> peers = List.of("tcp://127.0.0.1:" + ports[0], "tcp://127.0.0.1:" + ports[1], liar.endpoint());
      // The default policy (quorum, f = 1 with three peers); node 2's master starts empty at epoch 0.
      Path config = cluster.writeConfig(2, ports[2], "127.0.0.1", peers,
          Map.of("discovery.interval", "500ms", "discovery.timeout", "2s"));
      NodeProcess node = cluster.startNode("node2", List.of(), 2, "--config", config.toString());
      node.awaitLine("node 2: Ready \\(epoch=6 block=101", STEP);
      // Three more rounds with the liar answering: the master stays where the honest peers are.
      node.awaitLines("Highest claim epoch=" + MAX + " block=100 from " + Pattern.quote(liar.endpoint())
          + " is not confirmed by 2 peers", 4, STEP);
      String local = "unix://" + cluster.receiveSocket(2);
      NodeProcess.Result status = NodeProcess.run("status-node2", STEP, "status", local);
      assertTrue(status.has("epoch=6 block=101 "), status.output());

      // Under highest the liar alone would be the tip: its claim is refused as too far above epoch 6.
      Path highest = cluster.writeConfig(3, LoopbackPorts.pick(), "127.0.0.1", List.of(peers.get(0), liar.endpoint()),
          Map.of("discovery.policy", "highest", "discovery.timeout", "2s",
              "executor_receive_socket_path", "\"" + cluster.receiveSocket(2) + "\""));
      NodeProcess.Result check = NodeProcess.run("check-highest", STEP, "check-sync", "--config", highest.toString());
      assertTrue(check.has("claim refused: epoch " + MAX + " is more than discovery.max_epoch_jump \\(10\\) above the"
          + " local epoch 6"), check.output());
      assertTrue(check.has("\\[SYNC\\] Ready: network epoch=6 block=101"), check.output());
      assertEquals(0, check.exitCode(), check.output());
      assertTrue(NodeProcess.run("status-again", STEP, "status", local).has("epoch=6 block=101 "));
    }
  }

  @Test
  void aPoisonedEpochIsRepairedWithStoreSetEpoch() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(), Map.of());
      String storage = cluster.dir.resolve("n0-data").toString();
      String query = "unix://" + cluster.receiveSocket(0);
      NodeProcess master = cluster.startNode("master", List.of(), 0, "--master-only", "--config", config.toString());
      cluster.feed(0, 5, 1, 10);
      cluster.awaitBlock(List.of(), query, 10, STEP);
      NodeProcess.Result busy = NodeProcess.run("set-epoch-busy", STEP, "store", "set-epoch", "--storage", storage,
          "--epoch", "5");
      assertEquals(1, busy.exitCode(), busy.output());
      assertTrue(busy.has("is in use by another master"), busy.output());
      assertEquals(143, master.stop(STEP), master.output());

      // Poisoned as one liar's advance_epoch left it before these checks.
      NodeProcess.Result poison = NodeProcess.run("poison", STEP, "store", "set-epoch", "--storage", storage,
          "--epoch", MAX, "--start-ms", Long.toString(System.currentTimeMillis()));
      assertEquals(0, poison.exitCode(), poison.output());
      cluster.startNode("poisoned", List.of(), 0, "--master-only", "--config", config.toString());
      assertTrue(NodeProcess.run("status-poisoned", STEP, "status", query).has("epoch=" + MAX + " block=10 "));
      assertEquals(143, cluster.process("poisoned").stop(STEP));

      NodeProcess.Result repair = NodeProcess.run("repair", STEP, "store", "set-epoch", "--storage", storage,
          "--epoch", "5");
      assertEquals(0, repair.exitCode(), repair.output());
      assertTrue(repair.has("store " + Pattern.quote(storage) + ": epoch " + MAX + " \\(start \\d+ ms\\) -> epoch 5"
          + " \\(start \\d+ ms, boundary block 0\\); 1 entry of higher epochs dropped; last block 10"), repair.output());
      cluster.startNode("repaired", List.of(), 0, "--master-only", "--config", config.toString());
      assertTrue(NodeProcess.run("status-repaired", STEP, "status", query).has("epoch=5 block=10 "));
      cluster.feed(0, 5, 11, 20);
      cluster.awaitBlock(List.of(), query, 20, STEP);
    }
  }
}
