package io.peerlink.it;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed's "all nodes on same machine" deployment, as processes. Node 2 names its peers both
 * ways the seed allows: node 0 by its Unix socket path, node 1 as {@code tcp://127.0.0.1:port}.
 */
class LocalDeploymentTest {

  @Test
  void aNodeBehindDiscoversItsPeersCatchesUpAndTurnsReady() throws Exception {
    try (Cluster cluster = new Cluster()) {
      int[] ports = {Cluster.freePort(), Cluster.freePort(), Cluster.freePort()};
      SeedScenario seed = new SeedScenario(cluster, i -> List.of(), ports, "127.0.0.1",
          i -> i == 0 ? cluster.receiveSocket(0).toString() : "tcp://127.0.0.1:" + ports[i], Map.of());
      NodeProcess master2 = seed.startAheadAndBehind();
      seed.assertBehind(seed.checkSync("check-sync-behind"));
      seed.catchUp(master2);
    }
  }
}
