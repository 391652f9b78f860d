package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.testing.NodeProcess;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The seed's "3 nodes on 3 machines" deployment: three hosts as network namespaces on one bridge
 * (198.18.0.100-102), each node binding 0.0.0.0 on 19200, 19201 and 19202 as in the seed, peers
 * named {@code tcp://198.18.0.x:port}. Then one host is cut off and another killed: the next
 * decision still comes within one query deadline and names both failures.
 */
@RequiresNetworkNamespaces
class DistributedDeploymentTest {

  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

  @Test
  void threeHostsThenOneCutOffAndOneKilled() throws Exception {
    try (NetnsHosts hosts = new NetnsHosts(3); Cluster cluster = new Cluster()) {
      int[] ports = {19200, 19201, 19202};
      SeedScenario seed = new SeedScenario(cluster, hosts::exec, ports, "0.0.0.0",
          i -> "tcp://" + NetnsHosts.address(i) + ":" + ports[i],
          Map.of("discovery.timeout", QUERY_TIMEOUT.toMillis() + "ms"));
      NodeProcess master2 = seed.startAheadAndBehind();
      seed.assertBehind(seed.checkSync("dist-check-sync-behind"));
      seed.catchUp(master2);

      hosts.linkDown(0);
      cluster.process("node1").kill();
      NodeProcess.Result cut = seed.checkSync("dist-check-sync-cut");
      String out = cut.output();
      assertTrue(cut.has("WARN.*198\\.18\\.0\\.100:19200.*(timed out|TIMED_OUT)"), "the cut-off host times out:\n" + out);
      assertTrue(cut.has("WARN.*198\\.18\\.0\\.101:19201.*(refused|REFUSED)"), "the killed host refuses:\n" + out);
      long decisionMs = decisionMillis(out);
      assertTrue(decisionMs <= QUERY_TIMEOUT.toMillis() * 12 / 10 + 300,
          "decided in " + decisionMs + " ms, within one query deadline of " + QUERY_TIMEOUT.toMillis() + " ms:\n" + out);
      assertTrue(cut.has("Isolated\\(none of 2 peers answered"), "no peer answered: the status says Isolated\n" + out);
      assertEquals(4, cut.exitCode(), "peers configured, none answered: isolated, exit 4\n" + out);
    }
  }

  /** From the "Querying" log line to the "[SYNC]" decision line, by their timestamps. */
  static long decisionMillis(String output) {
    LocalTime start = timeOf(output, "\\[PEER EPOCH\\] Querying");
    LocalTime end = timeOf(output, "\\[SYNC\\]");
    return Duration.between(start, end).toMillis();
  }

  private static LocalTime timeOf(String output, String marker) {
    Matcher m = Pattern.compile("^(\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) .*" + marker, Pattern.MULTILINE).matcher(output);
    assertTrue(m.find(), "no log line with " + marker + ":\n" + output);
    return LocalTime.parse(m.group(1));
  }
}
