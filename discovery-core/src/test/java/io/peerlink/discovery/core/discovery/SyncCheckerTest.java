package io.peerlink.discovery.core.discovery;

import static io.peerlink.discovery.core.discovery.Outcomes.answered;
import static io.peerlink.discovery.core.discovery.Outcomes.peer;
import static io.peerlink.discovery.core.discovery.Outcomes.refused;
import static io.peerlink.discovery.core.discovery.Outcomes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LogCapture;
import io.peerlink.discovery.core.testing.TestNetwork;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class SyncCheckerTest {

  private static final DiscoveryOptions DEFAULTS = DiscoveryOptions.defaults();

  private static SyncStatus decide(DiscoveryResult r) {
    return SyncChecker.decide(r, DEFAULTS);
  }

  @Test
  void laterNetworkEpochIsSyncingEpoch() {
    SyncStatus s = decide(result(new MasterStatus(4, 500), answered(0, 5, 510), answered(1, 4, 700)));
    assertEquals(new SyncState.SyncingEpoch(5, 4), s.state());
    assertFalse(s.ready());
    assertFalse(s.epochsMatch());
    assertEquals(10, s.blockGap());
    assertEquals(Optional.of(peer(0)), s.bestPeer());
    assertEquals(2, s.peersAnswered());
    assertFalse(s.isolated());
  }

  @Test
  void moreThanTheThresholdBehindIsSyncingCommitsAtTheThresholdIsReady() {
    SyncStatus behind = decide(result(new MasterStatus(5, 100), answered(0, 5, 106)));
    assertEquals(new SyncState.SyncingCommits(106, 100), behind.state());
    assertEquals(6, behind.blockGap());
    assertFalse(behind.ready());

    SyncStatus atThreshold = decide(result(new MasterStatus(5, 100), answered(0, 5, 105)));
    assertEquals(new SyncState.Ready(), atThreshold.state());
    assertTrue(atThreshold.ready());
    assertTrue(atThreshold.epochsMatch());

    DiscoveryOptions strict = DiscoveryOptions.builder().gapThreshold(0).build();
    assertInstanceOf(SyncState.SyncingCommits.class,
        SyncChecker.decide(result(new MasterStatus(5, 100), answered(0, 5, 101)), strict).state());
  }

  @Test
  void aheadIsReadyAndLoggedAsAWarningNeverSyncingDown() {
    SyncStatus byEpoch = decide(result(new MasterStatus(6, 100), answered(0, 5, 120)));
    assertEquals(new SyncState.Ahead(5, 120, 6, 100), byEpoch.state());
    assertTrue(byEpoch.ready());

    SyncStatus byBlocks = decide(result(new MasterStatus(5, 200), answered(0, 5, 100)));
    assertInstanceOf(SyncState.Ahead.class, byBlocks.state());
    assertEquals(-100, byBlocks.blockGap());
    assertTrue(byBlocks.ready());

    SyncStatus slightlyAhead = decide(result(new MasterStatus(5, 103), answered(0, 5, 100)));
    assertEquals(new SyncState.Ready(), slightlyAhead.state(), "within the threshold either way is Ready");
  }

  @Test
  void peersConfiguredButNoneAnsweredIsIsolatedNamingEachPeerAndWhy() {
    PeerOutcome http = PeerOutcome.failed(peer(1), PeerOutcome.Kind.PROTOCOL_ERROR,
        "no answer in the protocol: connected, but nothing came back", Duration.ofMillis(5));
    SyncStatus s = decide(result(new MasterStatus(5, 100), refused(0), http));
    assertTrue(s.isolated());
    SyncState.Isolated state = assertInstanceOf(SyncState.Isolated.class, s.state());
    assertFalse(s.ready(), "not ready");
    assertEquals(2, state.peers());
    assertTrue(s.summary().startsWith("Isolated(none of 2 peers answered: " + peer(0) + " ("), s.summary());
    assertTrue(s.summary().contains(peer(1) + " (no answer in the protocol: connected"), s.summary());
    assertEquals(5, s.networkEpoch());
    assertEquals(100, s.networkBlock());
    assertEquals(Optional.empty(), s.bestPeer());
    assertEquals(0, s.peersAnswered());
    assertTrue(s.summary().contains("isolated"), s.summary());
  }

  @Test
  void withNoPeerConfiguredTheSeedsFallbackStands() {
    SyncStatus s = decide(result(new MasterStatus(5, 100)));
    assertEquals(new SyncState.Ready(), s.state());
    assertTrue(s.ready(), "the seed's fallback: ready on the local state");
  }

  @Test
  void minimumPeersMakesIsolationNotReady() {
    DiscoveryOptions options = DiscoveryOptions.builder().minimumPeers(2).build();
    SyncStatus isolated = SyncChecker.decide(result(new MasterStatus(5, 100), refused(0), refused(1)), options);
    assertInstanceOf(SyncState.Isolated.class, isolated.state());
    assertFalse(isolated.ready());

    SyncStatus onePeer = SyncChecker.decide(result(new MasterStatus(5, 100), answered(0, 5, 101), refused(1)),
        options);
    assertFalse(onePeer.ready());

    SyncStatus behindOnePeer = SyncChecker.decide(result(new MasterStatus(5, 100), answered(0, 5, 200), refused(1)),
        options);
    assertEquals(new SyncState.SyncingCommits(200, 100), behindOnePeer.state(), "a known tip ahead still says so");

    SyncStatus enough = SyncChecker.decide(result(new MasterStatus(5, 100), answered(0, 5, 101), answered(1, 5, 99)),
        options);
    assertTrue(enough.ready());
  }

  @Test
  void quorumNotReachedIsIsolatedOnTheLocalState() {
    DiscoveryResult r = result(new MasterStatus(5, 100), SelectionPolicy.quorum(1), answered(0, 1_000_000_000L, 1),
        refused(1), refused(2));
    SyncStatus s = decide(r);
    assertTrue(s.isolated());
    assertEquals(1, s.peersAnswered());
    assertEquals(new SyncState.Ready(), s.state(), "one liar alone does not start an epoch sync");
  }

  @Test
  void localMasterSilentIsInitializing() {
    SyncStatus s = decide(result(null, answered(0, 5, 100)));
    assertInstanceOf(SyncState.Initializing.class, s.state());
    assertFalse(s.ready());
    assertTrue(s.state().toString().contains("local master"), s.state()::toString);
  }

  @Test
  void gapSaturatesOnUnsignedExtremes() {
    assertEquals(Long.MAX_VALUE, SyncChecker.gap(-1L, 0));
    assertEquals(-Long.MAX_VALUE, SyncChecker.gap(0, -1L));
    assertEquals(3, SyncChecker.gap(-1L, -4L));
    SyncStatus s = decide(result(new MasterStatus(5, 0), answered(0, 5, -1L)));
    assertEquals(new SyncState.SyncingCommits(-1L, 0), s.state());
  }

  @Test
  void checkRunsARealRoundAndLogsAheadAsAWarning() throws Exception {
    try (TestNetwork net = new TestNetwork(); LogCapture log = new LogCapture(SyncChecker.class)) {
      Endpoint local = net.local("local", new FakeMasterState(9, 500));
      Endpoint a = net.peer("a", new FakeMasterState(8, 700));
      try (PeerDiscovery d = new PeerDiscovery(net.registry, local, List.of(a),
          DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2)).build())) {
        SyncStatus s = new SyncChecker(d).check().get(10, TimeUnit.SECONDS);
        assertEquals(new SyncState.Ahead(8, 700, 9, 500), s.state());
        assertTrue(s.ready());
        assertEquals(1, log.messages(Level.WARNING).size());
        assertTrue(log.messages(Level.WARNING).get(0).startsWith("[SYNC] Ahead"), log.messages()::toString);
      }
    }
  }
}
