package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged {@code peerlink store rollback} on a real master's store, end to end: refused while
 * the master runs and without {@code --yes} (nothing changed either time), then done; the master
 * restarts at the block it was rolled back to, serves it, and takes the next commits on top.
 */
class StoreRollbackTest {
  private static final Duration STEP = SeedScenario.STEP;

  @Test
  void rollsAStoppedMastersChainBackAndTheMasterGoesOnFromThere() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(), Map.of());
      String query = "unix://" + cluster.receiveSocket(0);
      Path chain = cluster.dir.resolve("n0-data").resolve("chain");
      NodeProcess master = cluster.startNode("master", List.of(), 0, "--master-only", "--config", config.toString());
      cluster.feed(0, 2, 1, 300);
      cluster.awaitBlock(List.of(), query, 300, STEP);

      NodeProcess.Result whileRunning = rollback(config, "200", "--yes");
      assertEquals(1, whileRunning.exitCode(), whileRunning.output());
      assertTrue(whileRunning.has("is in use by another master"), whileRunning.output());
      cluster.awaitBlock(List.of(), query, 300, STEP);
      assertEquals(143, master.stop(STEP), master.output());

      byte[] before = segments(chain);
      NodeProcess.Result unconfirmed = rollback(config, "200");
      assertEquals(1, unconfirmed.exitCode(), unconfirmed.output());
      assertTrue(unconfirmed.has("would roll back \\(nothing changed\\) from block 300 .* to block 200"),
          unconfirmed.output());
      assertTrue(unconfirmed.has("add --yes to do it"), unconfirmed.output());
      NodeProcess.Result tooHigh = rollback(config, "301", "--yes");
      assertEquals(1, tooHigh.exitCode(), tooHigh.output());
      assertTrue(tooHigh.has("301"), tooHigh.output());
      assertArrayEquals(before, segments(chain), "a refused rollback changes nothing");

      NodeProcess.Result done = rollback(config, "200", "--yes");
      assertEquals(0, done.exitCode(), done.output());
      assertTrue(done.has("rolled back from block 300 .* to block 200 .*; 100 blocks removed"), done.output());

      cluster.startNode("restarted", List.of(), 0, "--master-only", "--config", config.toString());
      NodeProcess.Result status = NodeProcess.run("status", STEP, "status", query);
      assertEquals(0, status.exitCode(), status.output());
      assertTrue(status.has("block=200\\b"), status.output());
      cluster.feed(0, 2, 201, 260);
      cluster.awaitBlock(List.of(), query, 260, STEP);
    }
  }

  private static NodeProcess.Result rollback(Path config, String toBlock, String... more) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("store", "rollback", "--config", config.toString(),
        "--to-block", toBlock));
    args.addAll(List.of(more));
    return NodeProcess.run("rollback", STEP, args.toArray(String[]::new));
  }

  /** Every segment's bytes, in name order, one after another. */
  private static byte[] segments(Path chain) throws Exception {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    try (Stream<Path> files = Files.list(chain)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".seg")).sorted().toList()) {
        all.write(Files.readAllBytes(p));
      }
    }
    return all.toByteArray();
  }
}
