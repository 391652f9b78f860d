package io.peerlink.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Peers that hang, answer garbage, close mid-frame, answer {@code error}, or claim epoch 10^9,
 * beside one honest peer; and a master killed with SIGKILL in the middle of a stream of commits.
 */
class FaultsTest {

  private static final Duration STEP = SeedScenario.STEP;
  private static final long LIE = 1_000_000_000L;

  @Test
  void everyFaultIsNamedAndOnlyTheQuorumPolicyIgnoresALiar() throws Exception {
    try (Cluster cluster = new Cluster();
         FakePeer hang = FakePeer.start(FakePeer.Behaviour.HANG);
         FakePeer garbage = FakePeer.start(FakePeer.Behaviour.GARBAGE);
         FakePeer midFrame = FakePeer.start(FakePeer.Behaviour.CLOSE_MID_FRAME);
         FakePeer error = FakePeer.start(FakePeer.Behaviour.ERROR);
         FakePeer liar = FakePeer.claiming(LIE, LIE)) {
      int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick(), LoopbackPorts.pick()};
      // Node 0 is the honest peer; node 2 holds the same chain (same commits), so it is in sync with it.
      Path honest = cluster.writeConfig(0, ports[0], "127.0.0.1", List.of(), Map.of());
      cluster.startNode("honest", List.of(), 0, "--master-only", "--config", honest.toString());
      List<String> peers = List.of("tcp://127.0.0.1:" + ports[0], hang.endpoint(), garbage.endpoint(),
          midFrame.endpoint(), error.endpoint(), liar.endpoint());
      Path highest = cluster.writeConfig(2, ports[2], "127.0.0.1", peers,
          // A jump bound that lets the liar's 10^9 through: what highest does without discovery.max_epoch_jump
          // (EpochSanityTest shows the default bound refusing it).
          Map.of("discovery.timeout", "2s", "discovery.policy", "highest", "discovery.max_epoch_jump", "1000000000"));
      cluster.startNode("node2", List.of(), 2, "--master-only", "--config", highest.toString());
      for (int node : new int[] {0, 2}) {
        cluster.feed(node, 5, 1, 100);
        cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(node), 100, STEP);
      }

      NodeProcess.Result followed = NodeProcess.run("check-highest", STEP, "check-sync", "--config", highest.toString());
      String out = followed.output();
      assertNamed(out, hang, "no answer in the protocol: connected, but nothing came back");
      assertNamed(out, garbage, "no answer in the protocol");
      assertNamed(out, midFrame, "closed|no answer in the protocol");
      assertNamed(out, error, "error response: peer is shutting down");
      assertTrue(followed.has("Best peer found: " + LIE + " \\(block=" + LIE + "\\) from " + Pattern.quote(liar.endpoint())),
          "highest follows the liar:\n" + out);
      assertEquals(3, followed.exitCode(), "under highest the liar makes the node think it is behind\n" + out);

      // Same peers, quorum policy with f = 1: a tip needs two answering peers.
      Path quorum = cluster.writeConfig(2, ports[2], "127.0.0.1", peers,
          Map.of("discovery.timeout", "2s", "discovery.policy", "quorum", "discovery.quorum_f", "1"));
      NodeProcess.Result ignored = NodeProcess.run("check-quorum", STEP, "check-sync", "--config", quorum.toString());
      assertTrue(ignored.has("\\[SYNC\\] Ready: network epoch=5 block=100"), "quorum ignores the liar:\n" + ignored.output());
      assertEquals(0, ignored.exitCode(), ignored.output());

      // The default policy, three peers (n = 4 with the node, f = 1): two honest answers, one liar.
      try (FakePeer second = FakePeer.claiming(5, 100)) {
        Path defaults = cluster.writeConfig(2, ports[2], "127.0.0.1",
            List.of("tcp://127.0.0.1:" + ports[0], second.endpoint(), liar.endpoint()), Map.of("discovery.timeout", "2s"));
        NodeProcess.Result safe = NodeProcess.run("check-default", STEP, "check-sync", "--config", defaults.toString());
        assertTrue(safe.has("\\[SYNC\\] Ready: network epoch=5 block=100"), "the default ignores the liar:\n" + safe.output());
        assertEquals(0, safe.exitCode(), safe.output());
      }
    }
  }

  private static void assertNamed(String output, FakePeer peer, String kind) {
    assertTrue(Pattern.compile("WARN.*Failed to query peer master \\(" + Pattern.quote(peer.endpoint()) + "\\): (" + kind + ")")
        .matcher(output).find(), peer.endpoint() + " is named with '" + kind + "':\n" + output);
  }

  @Test
  void aMasterKilledMidStreamComesBackWithEveryCommitItAppliedAndResumes() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(), Map.of());
      String query = "unix://" + cluster.receiveSocket(0);
      NodeProcess master = cluster.startNode("master", List.of(), 0, "--master-only", "--config", config.toString());
      NodeProcess stream = cluster.start("stream", List.of(), "send-blocks", "unix://" + cluster.sendSocket(0),
          "--epoch", "3", "--from", "1", "--to", "1000000");

      // Wait until the master has applied a good part of the stream, then SIGKILL it mid-stream.
      long seen = await("the master applied 300 commits before the kill").atMost(STEP)
          .pollInterval(Duration.ofMillis(10)) // each try is a whole `status` process
          .until(() -> block(NodeProcess.run("status", STEP, "status", query)), applied -> applied >= 300);
      master.kill();
      stream.kill();

      NodeProcess restarted = cluster.startNode("master-restarted", List.of(), 0, "--master-only", "--config", config.toString());
      long after = block(NodeProcess.run("status-after", STEP, "status", query));
      assertTrue(after >= seen, "every commit it reported applied survived SIGKILL: had " + seen + ", now " + after
          + "\n" + restarted.output());

      NodeProcess.Result resumed = NodeProcess.run("resume", STEP, "send-blocks", "unix://" + cluster.sendSocket(0),
          "--epoch", "3", "--from", Long.toString(after + 1), "--to", Long.toString(after + 50));
      assertEquals(0, resumed.exitCode(), resumed.output());
      cluster.awaitBlock(List.of(), query, after + 50, STEP);
    }
  }

  private static long block(NodeProcess.Result status) {
    java.util.regex.Matcher m = Pattern.compile("block=(\\d+)").matcher(status.output());
    assertTrue(status.exitCode() == 0 && m.find(), "status answered: " + status.output());
    return Long.parseLong(m.group(1));
  }
}
