package io.peerlink.discovery.core.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LogCapture;
import io.peerlink.discovery.core.testing.TestNetwork;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PeerDiscoveryTest {

  /** The deadline under test: short, so that hung peers cost little. */
  private static final Duration SHORT = Duration.ofMillis(300);
  /** For rounds whose subject is not the deadline: room for a cold JVM or a busy machine. */
  private static final Duration ROOMY = Duration.ofSeconds(2);

  private TestNetwork net;
  private Endpoint local;
  private final List<PeerDiscovery> discoveries = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    net = new TestNetwork();
    local = net.local("local", new FakeMasterState(3, 90));
  }

  @AfterEach
  void tearDown() {
    discoveries.forEach(PeerDiscovery::close);
    net.close();
  }

  private PeerDiscovery discovery(List<Endpoint> peers, DiscoveryOptions options) {
    PeerDiscovery d = new PeerDiscovery(net.registry, local, peers, options);
    discoveries.add(d);
    return d;
  }

  private PeerDiscovery discovery(List<Endpoint> peers) {
    return discovery(peers, DiscoveryOptions.builder().queryTimeout(ROOMY).build());
  }

  private static DiscoveryResult round(PeerDiscovery d) throws Exception {
    return d.discover().get(10, TimeUnit.SECONDS);
  }

  private static PeerOutcome outcome(DiscoveryResult r, Endpoint peer) {
    return r.peers().stream().filter(o -> o.peer().equals(peer)).findFirst().orElseThrow();
  }

  @Test
  void picksTheBestByEpochThenBlockAndLogsInTheSeedsWords() throws Exception {
    Endpoint a = net.peer("a", new FakeMasterState(5, 1000));
    Endpoint b = net.peer("b", new FakeMasterState(6, 50));
    Endpoint c = net.peer("c", new FakeMasterState(6, 80));
    Endpoint d = net.peer("d", new FakeMasterState(5, 2000));
    try (LogCapture log = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult r = round(discovery(List.of(a, b, c, d)));

      assertEquals(c, r.best().orElseThrow().peer());
      assertEquals(new MasterStatus(6, 80), r.networkTip().orElseThrow());
      assertEquals(4, r.answered());
      assertFalse(r.isolated());
      assertEquals(new MasterStatus(3, 90), r.localStatus().orElseThrow());
      assertEquals(List.of(a, b, c, d), r.peers().stream().map(PeerOutcome::peer).toList());

      List<String> lines = log.messages();
      assertTrue(lines.contains("[PEER EPOCH] Querying 4 peer masters for epoch discovery..."), lines::toString);
      assertTrue(lines.contains("[PEER EPOCH] Peer master (" + a + "): epoch=5, block=1000"), lines::toString);
      assertTrue(lines.contains("[PEER EPOCH] Peer master (" + c + "): epoch=6, block=80"), lines::toString);
      List<String> candidates = lines.stream()
          .filter(l -> l.startsWith("[PEER EPOCH] New best peer candidate: ")).toList();
      assertEquals("[PEER EPOCH] New best peer candidate: epoch=6 block=80 from " + c,
          candidates.get(candidates.size() - 1), "answers arrive in any order; the last candidate is the best");
      assertEquals("[PEER EPOCH] Best peer found: 6 (block=80) from " + c, lines.get(lines.size() - 1));
    }
  }

  @Test
  void tiesGoToTheFirstListedAndValuesCompareUnsigned() throws Exception {
    Endpoint a = net.peer("a", new FakeMasterState(7, 100));
    Endpoint b = net.peer("b", new FakeMasterState(7, 100));
    Endpoint huge = net.peer("huge", new FakeMasterState(7, -1L)); // block 2^64-1
    DiscoveryResult r = round(discovery(List.of(a, b)));
    assertEquals(a, r.best().orElseThrow().peer());

    DiscoveryResult r2 = round(discovery(List.of(a, huge)));
    assertEquals(huge, r2.best().orElseThrow().peer());
  }

  @Test
  void skipsTheNodesOwnMasterWhateverTheSpelling() {
    Endpoint own = Endpoint.parse("unix:///tmp/pl-own.sock");
    Endpoint other = Endpoint.parse("tcp://127.0.0.1:19201");
    PeerDiscovery d = new PeerDiscovery(net.registry, own,
        List.of(Endpoint.parse("/tmp/pl-own.sock"), other, Endpoint.parse("/tmp/../tmp/pl-own.sock"),
            Endpoint.parse("127.0.0.1:19201")),
        DiscoveryOptions.defaults());
    discoveries.add(d);
    assertEquals(List.of(other), d.peers());
  }

  @Test
  void ownMasterInThePeerListIsNotQueriedAsAPeer() throws Exception {
    Endpoint a = net.peer("a", new FakeMasterState(3, 95));
    DiscoveryResult r = round(discovery(List.of(local, a)));
    assertEquals(List.of(a), r.peers().stream().map(PeerOutcome::peer).toList());
    assertEquals(1, net.connections(local), "only the local query reached the own master");
  }

  @Test
  void fallsBackToTheLocalMasterWhenNoPeerAnswersAndSaysSo() throws Exception {
    Endpoint gone1 = net.refused("gone1");
    Endpoint gone2 = net.refused("gone2");
    try (LogCapture log = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult r = round(discovery(List.of(gone1, gone2)));
      assertTrue(r.isolated());
      assertTrue(r.best().isEmpty());
      assertEquals(0, r.answered());
      assertEquals(new MasterStatus(3, 90), r.networkTip().orElseThrow());
      assertTrue(log.messages(Level.WARNING).contains("[PEER EPOCH] No peer master answered (0 of 2); falling back"
          + " to local master (" + local + "): epoch=3, block=90"), log.messages()::toString);
    }
  }

  @Test
  void noPeersAndNoLocalMasterLeavesNoTip() throws Exception {
    PeerDiscovery d = new PeerDiscovery(net.registry, net.refused("no-local"), List.of(net.refused("x")),
        DiscoveryOptions.builder().queryTimeout(ROOMY).build());
    discoveries.add(d);
    DiscoveryResult r = round(d);
    assertTrue(r.isolated());
    assertTrue(r.networkTip().isEmpty());
    assertEquals(PeerOutcome.Kind.REFUSED, r.local().kind());
  }

  @Test
  void listenersHearEveryRoundOnceWithEachPeersOutcomeAndOneThatThrowsStopsNothing() throws Exception {
    Endpoint good = net.peer("good", new FakeMasterState(4, 40));
    Endpoint refused = net.refused("refused");
    PeerDiscovery d = discovery(List.of(good, refused));
    List<DiscoveryResult> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    d.addListener(r -> {
      throw new IllegalStateException("a broken listener");
    });
    d.addListener(heard::add);

    DiscoveryResult first = round(d);
    DiscoveryResult second = round(d);

    assertEquals(List.of(first, second), heard, "each round once, in order, before its future completes");
    assertEquals(PeerOutcome.Kind.ANSWERED, outcome(heard.get(0), good).kind());
    assertEquals(PeerOutcome.Kind.REFUSED, outcome(heard.get(0), refused).kind());
    assertEquals(good, second.best().orElseThrow().peer());
  }

  @Test
  void namesEveryKindOfFailure() throws Exception {
    FakeMasterState erroring = new FakeMasterState(1, 1);
    erroring.failStatusWith = "state store is locked";
    Endpoint good = net.peer("good", new FakeMasterState(4, 40));
    Endpoint refused = net.refused("refused");
    Endpoint hung = net.hung("hung");
    Endpoint garbage = net.garbage("garbage");
    Endpoint error = net.peer("error", erroring);
    Endpoint midFrame = net.closesMidFrame("midframe");
    try (LogCapture log = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult r = round(discovery(List.of(good, refused, hung, garbage, error, midFrame)));

      assertEquals(PeerOutcome.Kind.ANSWERED, outcome(r, good).kind());
      assertEquals(PeerOutcome.Kind.REFUSED, outcome(r, refused).kind());
      // Connected, then nothing in the protocol: a hung master and a peer serving HTTP look the same.
      assertEquals(PeerOutcome.Kind.PROTOCOL_ERROR, outcome(r, hung).kind());
      assertTrue(outcome(r, hung).reason().startsWith("no answer in the protocol: connected, but nothing came back"),
          outcome(r, hung)::reason);
      assertEquals(PeerOutcome.Kind.PROTOCOL_ERROR, outcome(r, garbage).kind());
      assertEquals(PeerOutcome.Kind.ERROR_RESPONSE, outcome(r, error).kind());
      assertTrue(outcome(r, error).reason().contains("state store is locked"), outcome(r, error)::reason);
      assertEquals(PeerOutcome.Kind.CLOSED, outcome(r, midFrame).kind());
      assertTrue(outcome(r, midFrame).reason().contains("mid-frame"), outcome(r, midFrame)::reason);
      assertEquals(good, r.best().orElseThrow().peer());
      assertEquals(1, r.answered());

      List<String> warnings = log.messages(Level.WARNING);
      for (Endpoint bad : List.of(refused, hung, garbage, error, midFrame)) {
        PeerOutcome o = outcome(r, bad);
        assertTrue(warnings.contains("[PEER EPOCH] Failed to query peer master (" + bad + "): " + o.reason()),
            () -> bad + " not in " + warnings);
        assertTrue(o.reason().startsWith(o.kind() == PeerOutcome.Kind.ERROR_RESPONSE ? "error response"
            : o.kind().words()), o::reason);
      }
    }
  }

  @Test
  void perPeerLinesAreBoundedPerRoundAndTheRestSummarised() throws Exception {
    List<Endpoint> peers = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      peers.add(net.refused("refused" + i));
    }
    for (int i = 0; i < 15; i++) {
      peers.add(net.peer("ok" + i, new FakeMasterState(2, 10 + i)));
    }
    try (LogCapture log = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult r = round(discovery(peers));
      assertEquals(15, r.answered());
      List<String> failed = log.messages(Level.WARNING).stream().filter(m -> m.contains("Failed to query peer")).toList();
      assertEquals(RoundLog.PER_KIND, failed.size(), "one line each for the first ten failures only");
      List<String> answered = log.messages(Level.INFO).stream().filter(m -> m.startsWith("[PEER EPOCH] Peer master (")).toList();
      assertEquals(RoundLog.PER_KIND, answered.size());
      List<String> summary = log.messages().stream().filter(m -> m.contains("not listed one by one")).toList();
      assertEquals(List.of("[PEER EPOCH] This round, not listed one by one: 290 more peer masters failed (refused 290);"
          + " 5 more answered (the first 10 of each are; --debug lists all)"), summary);
    }
  }

  @Test
  void aRoundTakesAboutOneTimeoutWhateverTheNumberOfHungPeers() throws Exception {
    List<Endpoint> peers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      peers.add(net.peer("ok" + i, new FakeMasterState(2, 10 + i)));
    }
    for (int i = 0; i < 3; i++) {
      peers.add(i * 3, net.hung("hung" + i));
    }
    PeerDiscovery d = discovery(peers, DiscoveryOptions.builder().queryTimeout(SHORT).build());
    round(d); // warm-up (class loading, first connections), so that the measured round shows the rule alone

    long start = System.nanoTime();
    DiscoveryResult r = round(d);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(took.compareTo(SHORT.multipliedBy(2)) < 0, "8 peers, 3 hung, took " + took.toMillis() + " ms");
    assertTrue(r.elapsed().compareTo(SHORT) >= 0, "the hung peers were waited for up to the deadline");
    assertEquals(5, r.answered());
    assertEquals(3, r.peers().stream().filter(o -> o.kind() == PeerOutcome.Kind.PROTOCOL_ERROR).count());
    assertEquals(new MasterStatus(2, 14), r.networkTip().orElseThrow());
  }

  @Test
  void keepsOneConnectionPerPeerAcrossRounds() throws Exception {
    Endpoint a = net.peer("a", new FakeMasterState(1, 1));
    PeerDiscovery d = discovery(List.of(a));
    for (int i = 0; i < 3; i++) {
      assertEquals(1, round(d).answered());
    }
    assertEquals(1, net.connections(a));
    assertEquals(1, net.connections(local));
  }

  @Test
  void redialsAPeerWhoseConnectionWasDroppedAfterATimeout() throws Exception {
    Endpoint hung = net.hung("hung");
    PeerDiscovery d = discovery(List.of(hung), DiscoveryOptions.builder().queryTimeout(SHORT).build());
    round(d);
    round(d);
    assertEquals(2, net.connections(hung), "a timed-out connection is not reused");
  }

  @Test
  void unhealthyPeersAreSkippedOnAFakeClockAndTriedAgainAfterTheBackoff() throws Exception {
    AtomicLong now = new AtomicLong();
    Endpoint gone = net.refused("gone");
    Endpoint ok = net.peer("ok", new FakeMasterState(1, 5));
    DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(ROOMY).build();
    PeerDiscovery d = new PeerDiscovery(net.registry, local, List.of(gone, ok), options,
        new PeerHealth(options.backoffSteps(), now::get));
    discoveries.add(d);

    for (int i = 0; i < 3; i++) {
      assertEquals(PeerOutcome.Kind.REFUSED, outcome(round(d), gone).kind());
    }
    DiscoveryResult skipped = round(d);
    assertEquals(PeerOutcome.Kind.SKIPPED_UNHEALTHY, outcome(skipped, gone).kind());
    assertEquals(PeerOutcome.Kind.ANSWERED, outcome(skipped, ok).kind());

    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertEquals(PeerOutcome.Kind.REFUSED, outcome(round(d), gone).kind(), "tried again after 10 s");
  }

  @Test
  void oneLyingPeerMovesHighestButNotQuorum() throws Exception {
    List<Endpoint> peers = List.of(net.peer("h1", new FakeMasterState(3, 100)),
        net.peer("liar", new FakeMasterState(1_000_000_000L, 1)), net.peer("h2", new FakeMasterState(3, 101)),
        net.peer("h3", new FakeMasterState(3, 99)));
    DiscoveryResult highest = round(discovery(peers, DiscoveryOptions.builder().queryTimeout(ROOMY)
        .maxEpochJump(DiscoveryOptions.MAX_EPOCH_JUMP).build()));
    assertEquals(new MasterStatus(1_000_000_000L, 1), highest.networkTip().orElseThrow(),
        "a jump within discovery.max_epoch_jump is followed under highest");

    try (LogCapture log = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult quorum = round(discovery(peers,
          DiscoveryOptions.builder().queryTimeout(ROOMY).selectionPolicy(SelectionPolicy.quorum()).build()));
      assertEquals(new MasterStatus(3, 101), quorum.networkTip().orElseThrow());
      assertEquals(peers.get(2), quorum.best().orElseThrow().peer());
      assertEquals(2, quorum.requiredAnswers());
      assertTrue(log.messages(Level.WARNING).stream().anyMatch(l -> l.contains("epoch=1000000000")
          && l.contains("not confirmed")), log.messages()::toString);
    }
  }

  @Test
  void underHighestAClaimTooFarAboveTheLocalEpochIsRefusedAndNamedOncePerPeer() throws Exception {
    Endpoint honest = net.peer("honest", new FakeMasterState(4, 90));
    Endpoint liar = net.peer("liar", new FakeMasterState(-1L, 90)); // 2^64-1
    Endpoint near = net.peer("near", new FakeMasterState(13, 1)); // local 3 + 10: still allowed
    PeerDiscovery d = discovery(List.of(liar, honest), DiscoveryOptions.builder().queryTimeout(ROOMY)
        .backoffSteps(List.of()).build());
    try (LogCapture rounds = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult first = round(d);
      assertEquals(new MasterStatus(4, 90), first.networkTip().orElseThrow());
      PeerOutcome refused = outcome(first, liar);
      assertEquals(PeerOutcome.Kind.CLAIM_REFUSED, refused.kind());
      assertEquals("claim refused: epoch 18446744073709551615 is more than discovery.max_epoch_jump (10) above the"
          + " local epoch 3; its answer does not count as the tip", refused.reason());
      assertEquals(1, first.answered());
      round(d);
      round(d);
      long named = rounds.messages(Level.WARNING).stream().filter(l -> l.contains("claim refused")).count();
      assertEquals(1, named, "named once, then counted: " + rounds.messages());
      assertEquals(2, rounds.messages(Level.WARNING).stream()
          .filter(l -> l.contains("1 peer claim(s) refused again")).count(), rounds.messages()::toString);
    }
    assertEquals(new MasterStatus(13, 1), round(discovery(List.of(near, honest))).networkTip().orElseThrow());
    DiscoveryResult quorum = round(discovery(List.of(liar, honest), DiscoveryOptions.builder().queryTimeout(ROOMY)
        .selectionPolicy(SelectionPolicy.quorum(0)).build()));
    assertEquals(PeerOutcome.Kind.ANSWERED, outcome(quorum, liar).kind(), "quorum counts answers, it does not refuse");
  }

  @Test
  void closedDiscoveryRefusesRounds() {
    PeerDiscovery d = discovery(List.of());
    d.close();
    assertTrue(d.discover().isCompletedExceptionally());
  }
}
