package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Joining a pruned network, end to end on the packaged node: three masters fed 31,000 blocks (5,000 per run), one
 * keeping the newest 1,000 and two the newest 5,000 (pruning drops whole segments of about 10,000
 * blocks, so each holds from a block past 10,000 on: block 1 is gone from all of them). An empty node joins
 * them and reaches Ready from a base: the lowest block f+1 (2) peers hold and agree on, or the
 * operator's trusted checkpoint; a checkpoint whose hash disagrees with the peers is refused and
 * nothing is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrunedJoinTest {
  private static final Duration STEP = Duration.ofSeconds(120);
  private static final long TIP = 31_000;
  /** Blocks per send-blocks run: a group commit holds at most one run, so segments roll near 10,000. */
  private static final long CHUNK = 5_000;
  private static final long CHECKPOINT = 30_500;
  private static final long[] RETENTION = {1_000, 5_000, 5_000};

  @RegisterExtension
  final ClusterMasters masters = new ClusterMasters();
  private Cluster cluster;
  private final int[] ports = new int[6];
  /** The lowest block each master holds, read from its pruned answer for block 1. */
  private final List<Long> floors = new ArrayList<>();

  @BeforeAll
  void startPrunedMasters() throws Exception {
    cluster = masters.cluster();
    for (int i = 0; i < ports.length; i++) {
      ports[i] = LoopbackPorts.pick();
    }
    for (int node = 0; node < 3; node++) {
      Path config = cluster.writeConfig(node, ports[node], "127.0.0.1", List.of(),
          Map.of("storage.retention_blocks", Long.toString(RETENTION[node])));
      cluster.startNode("master-" + node, List.of(), node, "--master-only", "--config", config.toString());
    }
    for (long from = 1; from <= TIP; from += CHUNK) {
      List<NodeProcess> feeds = new ArrayList<>();
      for (int node = 0; node < 3; node++) {
        feeds.add(cluster.start("feed-" + node + "-" + from, List.of(), "send-blocks", "unix://" + cluster.sendSocket(node),
            "--epoch", "1", "--from", Long.toString(from), "--to", Long.toString(Math.min(TIP, from + CHUNK - 1))));
      }
      for (NodeProcess f : feeds) {
        assertEquals(0, f.waitFor(STEP), f.output());
      }
    }
    for (int node = 0; node < 3; node++) {
      cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(node), TIP, STEP);
    }
    try (MasterClient m0 = masters.client(0)) {
      // The premise: block 1 is gone from every master.
      for (int node = 0; node < 3; node++) {
        try (MasterClient m = masters.client(node)) {
          Throwable e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
              () -> m.blocksRange(1, 1).get(10, TimeUnit.SECONDS));
          java.util.regex.Matcher floor = java.util.regex.Pattern.compile("blocks below (\\d+) were pruned")
              .matcher(String.valueOf(e.getCause()));
          assertTrue(floor.find(), "master " + node + ": " + e);
          floors.add(Long.parseLong(floor.group(1)));
        }
      }
      assertEquals(1, m0.blocksRange(CHECKPOINT, CHECKPOINT).get(10, TimeUnit.SECONDS).size());
      floors.sort(Long::compare);
    }
  }

  private Path emptyNode(int node, Map<String, String> extra) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(extra);
    all.put("discovery.timeout", "2s");
    all.put("discovery.interval", "1s");
    return cluster.writeConfig(node, ports[node], "127.0.0.1",
        List.of("tcp://127.0.0.1:" + ports[0], "tcp://127.0.0.1:" + ports[1], "tcp://127.0.0.1:" + ports[2]), all);
  }

  private String hashOf(long block) throws Exception {
    try (MasterClient m = masters.client(0)) {
      return HexFormat.of().formatHex(m.blocksRange(block, block).get(10, TimeUnit.SECONDS).get(0).blockHash());
    }
  }

  @Test
  void withoutACheckpointTheNodeStartsAtTheLowestBlockTwoPeersHoldAndReachesReady() throws Exception {
    NodeProcess node = cluster.startNode("auto", List.of(), 3, "--config", emptyNode(3, Map.of()).toString());
    long base = floors.get(1); // f = 1 (3 peers and the node): the lowest block 2 peers hold
    assertTrue(base > 1, "block 1 is gone: " + floors);
    node.awaitLine("starting its chain at block " + base + ", the lowest block 2 peers hold", STEP);
    node.awaitLine("node 3: Ready .*block=" + TIP, STEP);
    assertSameChainFrom(3, base);
  }

  @Test
  void aTrustedCheckpointIsWhereTheNodeStartsAndItReachesReady() throws Exception {
    Path config = emptyNode(4, Map.of("catch_up.trusted_checkpoint", "{ block = " + CHECKPOINT + ", hash = \"" + hashOf(CHECKPOINT) + "\" }"));
    NodeProcess node = cluster.startNode("checkpoint", List.of(), 4, "--config", config.toString());
    node.awaitLine("Base block " + CHECKPOINT + " .*the trusted checkpoint", STEP);
    node.awaitLine("node 4: Ready .*block=" + TIP, STEP);
    assertSameChainFrom(4, CHECKPOINT);
  }

  @Test
  void aCheckpointWhoseHashDisagreesWithThePeersIsRefusedAndNothingIsStored() throws Exception {
    Path config = emptyNode(5, Map.of("catch_up.trusted_checkpoint", "{ block = " + CHECKPOINT + ", hash = \"" + "00".repeat(32) + "\" }"));
    NodeProcess node = cluster.startNode("bad-checkpoint", List.of(), 5, "--config", config.toString());
    String refused = node.awaitLine("catch_up.trusted_checkpoint refused: block " + CHECKPOINT + " has hash", STEP);
    assertTrue(refused.contains("not the checkpoint's 0000000000000000"), refused);
    assertTrue(refused.contains("nothing was stored"), refused);
    try (MasterClient mine = masters.client(5)) {
      assertEquals(0L, (long) mine.lastBlockNumber().get(10, TimeUnit.SECONDS), "nothing stored");
    }
  }

  /** The node's master holds master 1's blocks from {@code base} to the tip, hash for hash, and nothing below. */
  private void assertSameChainFrom(int node, long base) throws Exception {
    try (MasterClient mine = masters.client(node); MasterClient peer = masters.client(1)) {
      assertEquals(TIP, (long) mine.lastBlockNumber().get(10, TimeUnit.SECONDS));
      ClusterMasters.assertSameBlocks(mine, peer, base, TIP);
      Throwable below = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> mine.blocksRange(base - 1, base).get(10, TimeUnit.SECONDS));
      assertTrue(String.valueOf(below.getCause()).contains("were pruned"), String.valueOf(below));
    }
  }
}
