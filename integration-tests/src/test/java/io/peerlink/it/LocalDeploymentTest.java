package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The seed's "all nodes on same machine" deployment, as processes. Node 2 names its peers both
 * ways the seed allows: node 0 by its Unix socket path, node 1 as {@code tcp://127.0.0.1:port}.
 */
class LocalDeploymentTest {

  @Test
  void aNodeBehindDiscoversItsPeersCatchesUpAndTurnsReady() throws Exception {
    try (Cluster cluster = new Cluster()) {
      int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick(), LoopbackPorts.pick()};
      SeedScenario seed = new SeedScenario(cluster, i -> List.of(), ports, "127.0.0.1",
          i -> i == 0 ? cluster.receiveSocket(0).toString() : "tcp://127.0.0.1:" + ports[i], Map.of());
      NodeProcess master2 = seed.startAheadAndBehind();
      seed.assertBehind(seed.checkSync("check-sync-behind"));
      seed.catchUp(master2);
      checkSyncJsonParsesWithJq(cluster.dir, seed.configs[2]);
    }
  }

  /**
   * {@code check-sync --json | jq}: what a script does with it. Debian's jq, which {@code .ci/run}
   * installs; elsewhere a missing jq skips only this step, and under CI it is a failure.
   */
  private static void checkSyncJsonParsesWithJq(Path dir, Path config) throws Exception {
    boolean jq = Files.isExecutable(Path.of("/usr/bin/jq"));
    if (!jq && !"true".equals(System.getenv("CI"))) {
      System.err.println("LocalDeploymentTest: /usr/bin/jq is not installed; the check-sync --json | jq step is skipped");
      return;
    }
    List<String> java = new ArrayList<>(NodeProcess.javaCommand());
    java.addAll(List.of("check-sync", "--json", "--config", config.toString()));
    Path out = dir.resolve("check-sync.json");
    Process p = new ProcessBuilder(java).redirectOutput(out.toFile())
        .redirectError(dir.resolve("check-sync-json.log").toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "check-sync --json did not finish");
    assertEquals(0, p.exitValue(), "check-sync --json exit code, ready -> 0");
    Process q = new ProcessBuilder("/usr/bin/jq", "-e",
        ".ready == true and .state == \"Ready\" and .local.block == 1234 and .best.block == 1234"
            + " and (.peers | length) == 2 and all(.peers[]; .outcome == \"answered\")")
        .redirectInput(out.toFile()).redirectErrorStream(true).start();
    String verdict = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(q.waitFor(30, TimeUnit.SECONDS), "jq did not finish");
    assertEquals(0, q.exitValue(), "jq -e on check-sync --json: " + verdict + "\n" + Files.readString(out));
  }
}
