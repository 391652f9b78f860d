package io.peerlink.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.node.TestNodes;
import io.peerlink.node.master.StoreHealth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The store half of readiness, on real directories; the sync half is covered over HTTP in PeerlinkNodeMetricsTest. */
class ReadinessTest {

  /** Readiness of a process whose node role runs or not and whose master's store is this, if any. */
  private static Readiness readiness(boolean nodeRole, Optional<StoreHealth> store) {
    return readiness(nodeRole, store, Optional.empty());
  }

  private static Readiness readiness(boolean nodeRole, Optional<StoreHealth> store, Optional<ChainFork> fork) {
    return new Readiness(new Readiness.Source() {
      @Override
      public boolean nodeRole() {
        return nodeRole;
      }

      @Override
      public Optional<SyncStatus> syncStatus() {
        return Optional.empty();
      }

      @Override
      public Optional<ChainFork> fork() {
        return fork;
      }

      @Override
      public Optional<StoreHealth> store() {
        return store;
      }
    });
  }

  private static Readiness masterOnly(StoreHealth store) {
    return readiness(false, Optional.of(store));
  }

  @Test
  void aWritableStoreIsReadyAndOneThatCannotTakeAFileIsNotAndSaysWhere() throws Exception {
    Path dir = TestNodes.tempDir();
    try {
      Readiness.Verdict ok = masterOnly(StoreHealth.writableDirectory(dir)).check();
      assertTrue(ok.ready());
      assertEquals(Optional.of("writable"), ok.store());
      try (var left = Files.list(dir)) {
        assertEquals(0, left.count(), "the probe file is removed again");
      }

      // A path under a regular file cannot be a directory, whoever runs the test (root too).
      Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
      Readiness.Verdict bad = masterOnly(StoreHealth.writableDirectory(file.resolve("chain"))).check();
      assertFalse(bad.ready());
      assertTrue(bad.store().orElseThrow().startsWith("the store directory " + file.resolve("chain")
          + " is not writable"), bad::toString);
      assertEquals(List.of("store: " + bad.store().orElseThrow()), bad.why());
      assertTrue(MetricsServer.verdictJson(bad).startsWith("{\"status\":\"not ready\",\"state\":null,\"why\":[\"store: "),
          MetricsServer.verdictJson(bad));
    } finally {
      TestNodes.deleteTree(dir);
    }
  }

  @Test
  void noRoleYetIsNotReadyAndANodeRoleBeforeItsFirstCheckIsNot() {
    Readiness.Verdict v = readiness(false, Optional.empty()).check();
    assertFalse(v.ready());
    assertEquals(List.of("starting: no role is running yet"), v.why());
    Readiness.Verdict unchecked = readiness(true, Optional.empty()).check();
    assertFalse(unchecked.ready());
    assertEquals(Optional.of("unknown"), unchecked.state());
    assertEquals(List.of("sync: not checked yet"), unchecked.why());
  }

  @Test
  void aKnownForkOfTheOwnChainIsNotReadyAndNamesTheForkPoint() {
    byte[] local = new byte[32];
    byte[] confirmed = new byte[32];
    confirmed[0] = 1;
    ChainFork fork = new ChainFork(30, local, confirmed, List.of(Endpoint.parse("tcp://127.0.0.1:19301"),
        Endpoint.parse("tcp://127.0.0.1:19302")), 27, new byte[32], 28);
    Readiness.Verdict v = readiness(true, Optional.empty(), Optional.of(fork)).check();
    assertFalse(v.ready());
    String line = v.why().get(v.why().size() - 1);
    assertTrue(line.startsWith("chain: not ready, the own master's chain forks from the network: its block 30")
        && line.contains("2 peers confirm 01") && line.contains("the chains part after block 27")
        && line.contains("roll the master's store back to block 27"), line);
  }
}
