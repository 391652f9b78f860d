package io.peerlink.discovery.core.catchup;

import static io.peerlink.discovery.core.catchup.LocalForkTest.forkedRange;
import static io.peerlink.discovery.core.catchup.LyingPeersTest.forgedHash;
import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static io.peerlink.discovery.core.testing.FakeMasterState.honestRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.discovery.SyncState;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LocalMasterFixture;
import io.peerlink.discovery.core.testing.LogCapture;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * {@link CatchUp#checkOwnTip}: a node within the gap threshold of the tip (Ready, so catch-up
 * never looks at it) whose own master forks from the chain its peers confirm is found forked,
 * with the fork point; an honest one is confirmed; too little to go on is inconclusive, never a
 * fork; and a minority of liars can neither fake a fork nor hide one. Real in-memory transport,
 * real responders over fake master states.
 */
class OwnTipCheckTest extends LocalMasterFixture {

  private static final long LOCAL = 1000;
  private static final long NETWORK = 1002; // within the default threshold of 5: Ready

  private final List<PeerBan> bans = new CopyOnWriteArrayList<>();
  private PeerDiscovery discovery;
  private CatchUp catchUp;
  private SyncStatus status;

  OwnTipCheckTest() {
    super(LOCAL);
  }

  private Endpoint honest(String name) throws Exception {
    return net.peer(name, new FakeMasterState(1, NETWORK));
  }

  private void localForksAt(long forkAt) {
    localState.ranges = (from, to) -> forkedRange(from, to, forkAt);
  }

  /** Checks the status (Ready is what this is about), then the own tip. */
  private TipCheck check(List<Endpoint> peers) throws Exception {
    DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2))
        .noProgressTimeout(Duration.ofSeconds(5)).selectionPolicy(SelectionPolicy.quorum()).build();
    discovery = new PeerDiscovery(net.registry, local, peers, options);
    net.own(discovery);
    catchUp = net.catchUp(discovery, bans);
    status = new SyncChecker(discovery).check().get(30, TimeUnit.SECONDS);
    return catchUp.checkOwnTip(status).get(30, TimeUnit.SECONDS);
  }

  private void assertNobodyBlamed(List<Endpoint> peers) {
    assertTrue(bans.isEmpty(), bans::toString);
    for (Endpoint p : peers) {
      assertFalse(discovery.bans().isBanned(p), p + " banned");
      assertEquals(0, discovery.health().consecutiveFailures(p), p + "'s health");
    }
    synchronized (localState) {
      assertTrue(localState.synced.isEmpty(), "nothing stored");
    }
  }

  @Test
  void aReadyNodeForkedWithinTheThresholdIsFoundForkedWithTheForkPointOnceAtError() throws Exception {
    localForksAt(998); // blocks 998..1000 are the local master's own
    List<Endpoint> peers = List.of(honest("a"), honest("b"), honest("c")); // 3 peers: 2 confirm

    try (LogCapture log = new LogCapture(CatchUp.class)) {
      TipCheck c = check(peers);

      assertInstanceOf(SyncState.Ready.class, status.state(), status::toString);
      assertEquals(TipCheck.Outcome.FORKED, c.outcome(), c::toString);
      assertEquals(LOCAL, c.block(), "the highest block the local master and 2 peers hold");
      ChainFork fork = c.fork().orElseThrow();
      assertEquals(LOCAL, fork.localBlock());
      assertArrayEquals(forgedHash(LOCAL), fork.localHash());
      assertArrayEquals(hash(LOCAL), fork.confirmedHash());
      assertEquals(Set.copyOf(peers), Set.copyOf(fork.confirmedBy()));
      assertEquals(997, fork.lastCommonBlock());
      assertArrayEquals(hash(997), fork.lastCommonHash());
      assertEquals(998, fork.firstDifferentBlock());
      assertTrue(c.message().contains("--to-block 997"), c.message());
      assertNobodyBlamed(peers);
      List<String> errors = log.messages(Level.SEVERE);
      assertEquals(1, errors.size(), log.messages()::toString);
      assertTrue(errors.get(0).startsWith("[CATCH-UP] Own tip check FORKED") && errors.get(0).contains("after block 997"),
          errors.get(0));
    }
    // Catch-up does not look at a Ready node: the fork is the check's to find.
    assertEquals(CatchUpResult.Outcome.UP_TO_DATE, catchUp.run(status).get(30, TimeUnit.SECONDS).outcome());
    try (LogCapture again = new LogCapture(CatchUp.class)) {
      TipCheck second = catchUp.checkOwnTip(status).get(30, TimeUnit.SECONDS);
      assertEquals(TipCheck.Outcome.FORKED, second.outcome());
      assertTrue(again.messages(Level.SEVERE).isEmpty(), "the same fork is said once: " + again.messages());
    }
  }

  @Test
  void aNodeAheadOfItsPeersIsComparedAtTheHighestBlockTheyHold() throws Exception {
    localState.lastBlock = 1004;
    localForksAt(1001);
    List<Endpoint> peers = List.of(honest("a"), honest("b"), honest("c"));

    TipCheck c = check(peers);

    assertEquals(TipCheck.Outcome.FORKED, c.outcome(), c::toString);
    assertEquals(NETWORK, c.block());
    assertEquals(1000, c.fork().orElseThrow().lastCommonBlock());
    assertEquals(1001, c.fork().orElseThrow().firstDifferentBlock());
    assertNobodyBlamed(peers);
  }

  @Test
  void anHonestLocalChainIsConfirmed() throws Exception {
    List<Endpoint> peers = List.of(honest("a"), honest("b"), honest("c"));

    try (LogCapture log = new LogCapture(CatchUp.class)) {
      TipCheck c = check(peers);

      assertEquals(TipCheck.Outcome.CONFIRMED, c.outcome(), c::toString);
      assertEquals(LOCAL, c.block());
      assertTrue(c.fork().isEmpty());
      assertTrue(log.messages(Level.SEVERE).isEmpty() && log.messages(Level.WARNING).isEmpty(),
          log.messages()::toString);
    }
    assertNobodyBlamed(peers);
  }

  @Test
  void peersThatPrunedTheBlockOrDoNotAnswerLeaveItInconclusiveNotForked() throws Exception {
    localForksAt(998);
    List<Endpoint> peers = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      FakeMasterState pruned = new FakeMasterState(1, NETWORK);
      pruned.ranges = (from, to) -> {
        throw new IllegalStateException("blocks below 1001 were pruned");
      };
      peers.add(net.peer(name, pruned));
    }

    TipCheck c = check(peers);

    assertEquals(TipCheck.Outcome.INCONCLUSIVE, c.outcome(), c::toString);
    assertTrue(c.fork().isEmpty());
    assertTrue(c.message().contains("pruned"), c.message());
    assertTrue(bans.isEmpty(), bans::toString);
  }

  @Test
  void tooFewHoldersLeaveItInconclusive() throws Exception {
    localForksAt(998);
    // 3 peers configured (2 must confirm), only one answers.
    List<Endpoint> peers = List.of(honest("a"), net.refused("b"), net.refused("c"));

    TipCheck c = check(peers);

    assertEquals(TipCheck.Outcome.INCONCLUSIVE, c.outcome(), c::toString);
    assertTrue(c.fork().isEmpty());
    assertTrue(bans.isEmpty(), bans::toString);
  }

  @Test
  void oneLiarVotingAForkedHashCannotMakeAnHonestLocalChainLookForked() throws Exception {
    FakeMasterState liarState = new FakeMasterState(1, NETWORK);
    liarState.ranges = (from, to) -> forkedRange(from, to, 990);
    Endpoint liar = net.peer("liar", liarState);
    List<Endpoint> honest = List.of(honest("a"), honest("b"));
    List<Endpoint> peers = new ArrayList<>(List.of(liar));
    peers.addAll(honest); // 3 peers: 2 must confirm, the liar is 1

    TipCheck c = check(peers);

    assertEquals(TipCheck.Outcome.CONFIRMED, c.outcome(), c::toString);
    assertEquals(1, bans.size(), bans::toString);
    assertEquals(liar, bans.get(0).peer());
    assertArrayEquals(forgedHash(LOCAL), bans.get(0).peerHash());
    honest.forEach(p -> assertFalse(discovery.bans().isBanned(p)));
  }

  @Test
  void aLiarConfirmingTheForkedLocalHashCannotHideTheFork() throws Exception {
    localForksAt(998);
    FakeMasterState twinState = new FakeMasterState(1, NETWORK);
    twinState.ranges = (from, to) -> forkedRange(from, to, 998); // the local master's own forked chain
    Endpoint twin = net.peer("twin", twinState);
    List<Endpoint> honest = List.of(honest("a"), honest("b"), honest("c"));
    List<Endpoint> peers = new ArrayList<>(List.of(twin));
    peers.addAll(honest); // 4 peers: 2 confirm

    TipCheck c = check(peers);

    assertEquals(TipCheck.Outcome.FORKED, c.outcome(), c::toString);
    assertEquals(Set.copyOf(honest), Set.copyOf(c.fork().orElseThrow().confirmedBy()));
    assertEquals(997, c.fork().orElseThrow().lastCommonBlock());
    assertTrue(discovery.bans().isBanned(twin), "it contradicts what 3 peers confirm: " + bans);
    honest.forEach(p -> assertFalse(discovery.bans().isBanned(p)));
  }

  @Test
  void aLiarWithholdingTheHighestBlockOnlyMovesTheCheckDownToOneTheHonestPeersHold() throws Exception {
    localForksAt(995);
    FakeMasterState liarState = new FakeMasterState(1, NETWORK);
    liarState.ranges = (from, to) -> {
      throw new IllegalStateException("not telling");
    };
    Endpoint liar = net.peer("liar", liarState);
    Endpoint a = honest("a");
    Endpoint b = net.peer("b", new FakeMasterState(1, 999)); // b holds up to 999 only
    // Claims 1002, 1002, 999 with 2 needed: block 1000 is held by a and the liar only.

    TipCheck c = check(List.of(liar, a, b));

    assertEquals(TipCheck.Outcome.FORKED, c.outcome(), c::toString);
    assertEquals(999, c.block(), "the next lower claim, which a and b confirm");
    assertEquals(994, c.fork().orElseThrow().lastCommonBlock());
    assertEquals(Set.of(a, b), Set.copyOf(c.fork().orElseThrow().confirmedBy()));
    assertTrue(c.message().contains(Hashes.hex(hash(999))), c.message());
  }

  @Test
  void anEmptyLocalMasterHasNothingToCheck() throws Exception {
    localState.lastBlock = 0;
    localState.ranges = (from, to) -> honestRange(from, Math.min(to, 0));

    TipCheck c = check(List.of(honest("a"), honest("b"), honest("c")));

    assertEquals(TipCheck.Outcome.INCONCLUSIVE, c.outcome(), c::toString);
    assertEquals(0, c.block());
  }
}
