package io.peerlink.discovery.core.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.catchup.BlockSink;
import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.discovery.core.catchup.CatchUpResult;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import io.peerlink.discovery.core.testing.TestNetwork;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The epoch decision against peers that lie: an epoch (and its start) reaches the own master
 * only when f+1 peers report it; fetched blocks never carry an epoch above that.
 */
class EpochAgreementTest {

  private static final long MAX = -1L; // 2^64-1

  private static DiscoveryResult round(SelectionPolicy policy, long... epochs) {
    List<PeerOutcome> peers = new ArrayList<>();
    for (int i = 0; i < epochs.length; i++) {
      peers.add(PeerOutcome.answered(Endpoint.parse("tcp://127.0.0.1:" + (20000 + i)), new MasterStatus(epochs[i], 10),
          Duration.ZERO));
    }
    PeerOutcome local = PeerOutcome.answered(Endpoint.parse("unix:///tmp/local.sock"), new MasterStatus(5, 10),
        Duration.ZERO);
    Optional<PeerOutcome> best = policy.select(peers, peers.size());
    return new DiscoveryResult(peers, local, best, policy, policy.requiredAnswers(peers.size()), Duration.ZERO);
  }

  private static BlockData block(long n, long epoch) {
    return new BlockData(n, new byte[] {(byte) n}, epoch, 1_700_000_000_000L + n, new byte[] {(byte) (n - 1)}, null,
        null, null, 0, 0, null);
  }

  @Test
  void theAgreedEpochIsTheHighestThatFPlusOnePeersReport() {
    // Three peers and the node: f = 1, so two peers must report an epoch; the liar alone cannot.
    assertEquals(OptionalLong.of(5), EpochAgreement.agreedEpoch(round(SelectionPolicy.quorum(), 5, MAX, 5)));
    assertEquals(OptionalLong.of(6), EpochAgreement.agreedEpoch(round(SelectionPolicy.quorum(), 6, MAX, 5)),
        "6 and 2^64-1 both report at least 6: one of them is honest");
    assertEquals(OptionalLong.of(5), EpochAgreement.agreedEpoch(round(SelectionPolicy.quorum(), 5, MAX, 4)));
    assertEquals(OptionalLong.of(6), EpochAgreement.agreedEpoch(round(SelectionPolicy.quorum(), 6, MAX, 6)));
    assertEquals(OptionalLong.empty(), EpochAgreement.agreedEpoch(round(SelectionPolicy.quorum(2), 5, MAX)),
        "fewer answers than f+1");
    DiscoveryResult quorum = round(SelectionPolicy.quorum(), 6, MAX, 5);
    assertEquals(quorum.networkTip().orElseThrow().epoch(), EpochAgreement.agreedEpoch(quorum).getAsLong(),
        "under quorum the agreed epoch is the chosen tip's");
    assertEquals(OptionalLong.of(5), EpochAgreement.agreedEpoch(round(SelectionPolicy.highest(), 5, MAX)),
        "under highest a second peer must report it, as for a block hash: the liar's tip is not the epoch");
    assertEquals(OptionalLong.of(MAX), EpochAgreement.agreedEpoch(round(SelectionPolicy.highest(), MAX)),
        "one peer configured: trusted outright (discovery.max_epoch_jump guards it before this)");
  }

  @Test
  void blocksAboveTheAgreedEpochOrGoingBackAreRefused() {
    DiscoveryResult r = round(SelectionPolicy.quorum(), 6, MAX, 6);
    assertNull(EpochAgreement.blockEpochProblem(List.of(block(1, 5), block(2, 6), block(3, 6)), r));
    assertEquals("block 3 has epoch 18446744073709551615, above epoch 6, the highest 2 peer(s) report"
        + " (quorum(f=(n-1)/3))", EpochAgreement.blockEpochProblem(List.of(block(2, 6), block(3, MAX)), r));
    assertEquals("block 3 has epoch 4, below block 2's epoch 6: epochs never go back along a chain",
        EpochAgreement.blockEpochProblem(List.of(block(2, 6), block(3, 4)), r));
    assertEquals("no epoch is reported by 3 peers (quorum(f=2)), so the blocks' epochs cannot be checked",
        EpochAgreement.blockEpochProblem(List.of(block(1, 1)), round(SelectionPolicy.quorum(2), 1, 1)));
  }

  @Test
  void theStartIsTakenOnlyWhenFPlusOnePeersGiveItIdentically() throws Exception {
    try (TestNetwork net = new TestNetwork()) {
      RecordingMasterState honest1 = new RecordingMasterState();
      RecordingMasterState honest2 = new RecordingMasterState();
      RecordingMasterState liar = new RecordingMasterState();
      for (RecordingMasterState s : List.of(honest1, honest2, liar)) {
        s.epoch = 7;
      }
      liar.epochStart = MAX;
      List<Endpoint> peers = List.of(net.peer("liar", liar), net.peer("h1", honest1), net.peer("h2", honest2));
      Endpoint local = net.local("local", new RecordingMasterState());
      DiscoveryOptions options = DiscoveryOptions.builder().selectionPolicy(SelectionPolicy.quorum()).build();
      try (PeerDiscovery d = new PeerDiscovery(net.registry, local, peers, options)) {
        DiscoveryResult r = d.discover().get(10, TimeUnit.SECONDS);
        assertEquals(OptionalLong.of(7), EpochAgreement.agreedEpoch(r));
        assertEquals(OptionalLong.of(1_700_000_000_000L), EpochAgreement.agreedStart(d, r, 7).get(10, TimeUnit.SECONDS));
        honest2.epochStart = 1_800_000_000_000L; // now no start has two voices
        assertEquals(OptionalLong.empty(), EpochAgreement.agreedStart(d, r, 7).get(10, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void underHighestAnEpochAndItsStartNeedASecondPeer() throws Exception {
    try (TestNetwork net = new TestNetwork()) {
      RecordingMasterState liar = new RecordingMasterState();
      RecordingMasterState honest1 = new RecordingMasterState();
      RecordingMasterState honest2 = new RecordingMasterState();
      liar.epoch = 9; // within discovery.max_epoch_jump: highest's tip, but no second peer is in epoch 9
      liar.epochStart = MAX;
      honest1.epoch = 7;
      honest2.epoch = 7;
      List<Endpoint> peers = List.of(net.peer("liar", liar), net.peer("h1", honest1), net.peer("h2", honest2));
      Endpoint local = net.local("local", new RecordingMasterState());
      DiscoveryOptions options = DiscoveryOptions.builder().selectionPolicy(SelectionPolicy.highest()).build();
      try (PeerDiscovery d = new PeerDiscovery(net.registry, local, peers, options)) {
        DiscoveryResult r = d.discover().get(10, TimeUnit.SECONDS);
        assertEquals(9, r.networkTip().orElseThrow().epoch(), "highest follows the liar's tip");
        assertEquals(OptionalLong.of(7), EpochAgreement.agreedEpoch(r), "but the epoch is the one two peers report");
        assertEquals(OptionalLong.of(1_700_000_000_000L),
            EpochAgreement.agreedStart(d, r, 7).get(10, TimeUnit.SECONDS), "the liar is asked too, and outvoted");
        honest2.epochStart = 1_800_000_000_000L; // now no start has two voices: one honest peer is not enough
        assertEquals(OptionalLong.empty(), EpochAgreement.agreedStart(d, r, 7).get(10, TimeUnit.SECONDS));
        honest2.epochStart = honest1.epochStart;
        d.bans().ban(peers.get(1), 7, new byte[32], new byte[32], "a test's ban");
        assertEquals(OptionalLong.empty(), EpochAgreement.agreedStart(d, r, 7).get(10, TimeUnit.SECONDS),
            "a peer banned since the round gives no start");
      }
    }
  }

  @Test
  void catchUpRefusesAPeersBlocksWithAnEpochNoFPlusOnePeersReportAndTakesAnHonestPeers() throws Exception {
    try (TestNetwork net = new TestNetwork()) {
      FakeMasterState localState = new FakeMasterState(1, 100);
      Endpoint local = net.local("local", localState);
      FakeMasterState liar = new FakeMasterState(1, 300); // reports epoch 1, but serves blocks of epoch 2^64-1
      liar.ranges = (from, to) -> {
        List<BlockData> out = new ArrayList<>();
        for (BlockData b : FakeMasterState.honestRange(from, to)) {
          out.add(new BlockData(b.blockNumber(), b.blockHash(), MAX, b.timestampMs(), b.parentHash(), null, null, null,
              0, 0, null));
        }
        return out;
      };
      Endpoint a = net.peer("liar", liar);
      Endpoint b = net.peer("honest", new FakeMasterState(1, 300));
      DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2)).build();
      try (PeerDiscovery discovery = new PeerDiscovery(net.registry, local, List.of(a, b), options);
           MasterClient localClient = new MasterClient(net.registry, local, Duration.ofSeconds(5))) {
        CatchUpResult r = new CatchUp(new SyncChecker(discovery), BlockSink.syncBlocksTo(localClient)).run()
            .get(20, TimeUnit.SECONDS);
        assertEquals(CatchUpResult.Outcome.CAUGHT_UP, r.outcome(), r::toString);
        assertEquals("broken batch 101..300: block 101 has epoch 18446744073709551615, above epoch 1, the highest 2"
            + " peer(s) report (highest)", r.failedPeers().get(a));
      }
      assertEquals(300, localState.lastBlock);
      synchronized (localState) {
        assertTrue(localState.synced.stream().allMatch(x -> x.epoch() == 1), "only the honest peer's blocks");
      }
    }
  }
}
