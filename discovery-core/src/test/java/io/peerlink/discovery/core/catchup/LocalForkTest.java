package io.peerlink.discovery.core.catchup;

import static io.peerlink.discovery.core.catchup.LyingPeersTest.forgedHash;
import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static io.peerlink.discovery.core.testing.FakeMasterState.honestRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.discovery.core.protocol.BlockData;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * A node whose OWN master holds a chain that forks from the one its peers confirm (it stored a
 * forged chain before hashes were checked): every honest peer's first batch fails its first
 * parent link, and catch-up must say the local chain forks, with where, instead of failing the
 * honest peers one by one; while a liar serving a wrong first parent to an honest local chain is
 * still blamed, and a minority of liars can neither hide a fork nor fake one.
 */
class LocalForkTest extends LocalMasterFixture {

  private static final long LOCAL = 300;
  private static final long NETWORK = 2000;

  private final List<PeerBan> bans = new CopyOnWriteArrayList<>();
  private PeerDiscovery discovery;
  private CatchUp catchUp;
  private ChainFork firstFork;

  LocalForkTest() {
    super(LOCAL);
  }

  /** The sequential catch-up here; {@link PipelinedLocalForkTest} runs every case pipelined. */
  FetchLimits fetchLimits() {
    return FetchLimits.SEQUENTIAL;
  }

  /** The honest chain up to block {@code forkAt - 1}, then a chain of its own from block {@code forkAt}. */
  static BlockData forked(long n, long forkAt) {
    if (n < forkAt) {
      return FakeMasterState.block(n);
    }
    return new BlockData(n, forgedHash(n), 1, 1_700_000_000_000L + n, n == forkAt ? hash(n - 1) : forgedHash(n - 1),
        null, null, null, 0, 0, null);
  }

  static List<BlockData> forkedRange(long from, long to, long forkAt) {
    List<BlockData> out = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      out.add(forked(n, forkAt));
    }
    return out;
  }

  private void localForksAt(long forkAt) {
    localState.ranges = (from, to) -> forkedRange(from, to, forkAt);
  }

  private Endpoint honest(String name) throws Exception {
    return net.peer(name, new FakeMasterState(1, NETWORK));
  }

  private CatchUpResult run(List<Endpoint> peers) throws Exception {
    DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2))
        .selectionPolicy(SelectionPolicy.quorum()).fetchLimits(fetchLimits()).build();
    discovery = new PeerDiscovery(net.registry, local, peers, options);
    net.own(discovery);
    catchUp = net.catchUp(discovery, bans);
    return catchUp.run().get(30, TimeUnit.SECONDS);
  }

  /** No peer failed, banned or hurt in health; nothing stored. */
  private void assertNobodyBlamed(CatchUpResult r, List<Endpoint> peers) {
    assertTrue(r.failedPeers().isEmpty(), r.failedPeers()::toString);
    assertTrue(bans.isEmpty(), bans::toString);
    for (Endpoint p : peers) {
      assertFalse(discovery.bans().isBanned(p), p + " banned");
      assertEquals(0, discovery.health().consecutiveFailures(p), p + "'s health");
    }
    assertEquals(LOCAL, localState.lastBlock);
    synchronized (localState) {
      assertTrue(localState.synced.isEmpty(), "nothing stored");
    }
  }

  @Test
  void aLocalChainForkedAfterBlock5EndsLocalForkedWithTheForkPointAndBlamesNoPeer() throws Exception {
    localForksAt(6);
    List<Endpoint> peers = List.of(honest("a"), honest("b"), honest("c")); // 3 peers: f = 1, 2 confirm

    try (LogCapture log = new LogCapture(CatchUp.class)) {
      CatchUpResult r = run(peers);

      assertEquals(CatchUpResult.Outcome.LOCAL_FORKED, r.outcome(), r::toString);
      assertFalse(r.outcome().success());
      assertNobodyBlamed(r, peers);
      ChainFork fork = r.fork().orElseThrow();
      firstFork = fork;
      assertEquals(LOCAL, fork.localBlock());
      assertArrayEquals(forgedHash(LOCAL), fork.localHash());
      assertArrayEquals(hash(LOCAL), fork.confirmedHash());
      assertEquals(Set.copyOf(peers), Set.copyOf(fork.confirmedBy()));
      assertEquals(5, fork.lastCommonBlock());
      assertArrayEquals(hash(5), fork.lastCommonHash());
      assertEquals(6, fork.firstDifferentBlock());
      assertTrue(fork.forkPointKnown());

      List<String> errors = log.messages(Level.SEVERE);
      assertEquals(1, errors.size(), log.messages()::toString);
      String line = errors.get(0);
      assertTrue(line.startsWith("[CATCH-UP] LOCAL_FORKED"), line);
      for (String part : List.of("block 300", Hashes.hex(forgedHash(LOCAL)), Hashes.hex(hash(LOCAL)),
"after block 5", Hashes.hex(hash(5)), "roll the master's store back to block 5",
          "peerlink store rollback --config <its config> --to-block 5 --yes", "resync")) {
        assertTrue(line.contains(part), "'" + part + "' in " + line);
      }
      peers.forEach(p -> assertTrue(line.contains(p.toString()), p + " in " + line));
      assertFalse(log.messages().stream().anyMatch(l -> l.contains("failed to serve blocks")), log.messages()::toString);
    }
    // A second run finds the same fork: the same outcome, but no second ERROR line.
    ChainFork first = firstFork;
    try (LogCapture again = new LogCapture(CatchUp.class)) {
      CatchUpResult second = catchUp.run().get(30, TimeUnit.SECONDS);
      assertEquals(CatchUpResult.Outcome.LOCAL_FORKED, second.outcome(), second::toString);
      assertTrue(again.messages(Level.SEVERE).isEmpty(), again.messages()::toString);
      assertTrue(fork(second).sameFork(firstFork), fork(second) + " vs " + firstFork);
    }
  }

  private static ChainFork fork(CatchUpResult r) {
    return r.fork().orElseThrow();
  }

  @Test
  void aLocalChainDifferentFromBlock1HasNoCommonBlock() throws Exception {
    localForksAt(1);
    List<Endpoint> peers = List.of(honest("a"), honest("b"), honest("c"));

    CatchUpResult r = run(peers);

    assertEquals(CatchUpResult.Outcome.LOCAL_FORKED, r.outcome(), r::toString);
    assertNobodyBlamed(r, peers);
    ChainFork fork = fork(r);
    assertEquals(0, fork.lastCommonBlock());
    assertEquals(0, fork.lastCommonHash().length);
    assertEquals(1, fork.firstDifferentBlock());
    assertTrue(fork.forkPointKnown());
    assertTrue(r.message().contains("no block in common") && r.message().contains("move its storage directory aside"),
        r.message());
  }

  @Test
  void peersThatPrunedOldBlocksBoundTheForkPoint() throws Exception {
    localForksAt(6);
    List<Endpoint> peers = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      FakeMasterState pruned = new FakeMasterState(1, NETWORK);
      pruned.ranges = (from, to) -> {
        if (from < 100) {
          throw new IllegalStateException("blocks below 100 were pruned");
        }
        return honestRange(from, to);
      };
      peers.add(net.peer(name, pruned));
    }

    CatchUpResult r = run(peers);

    assertEquals(CatchUpResult.Outcome.LOCAL_FORKED, r.outcome(), r::toString);
    assertNobodyBlamed(r, peers);
    ChainFork fork = fork(r);
    assertFalse(fork.forkPointKnown());
    assertEquals(0, fork.lastCommonBlock());
    // The lowest block checked that differs, above the pruned floor; below it nothing is confirmed.
    assertTrue(fork.firstDifferentBlock() >= 100 && fork.firstDifferentBlock() < 200, fork::toString);
    assertTrue(r.message().contains("at or below block " + fork.firstDifferentBlock())
        && r.message().contains("pruned"), r.message());
  }

  @Test
  void aLiarServingAWrongFirstParentToAnHonestLocalChainIsStillBanned() throws Exception {
    localState.ranges = FakeMasterState::honestRange;
    FakeMasterState liarState = new FakeMasterState(1, NETWORK);
    List<Long> served = new CopyOnWriteArrayList<>();
    // Single blocks (what confirmation asks) are honest; a batch's first block has a parent of its own.
    liarState.ranges = (from, to) -> {
      List<BlockData> out = new ArrayList<>(honestRange(from, to));
      if (from != to) {
        served.add(from);
        BlockData b = out.get(0);
        out.set(0, new BlockData(b.blockNumber(), b.blockHash(), 1, b.timestampMs(), forgedHash(from - 1), null, null,
            null, 0, 0, null));
      }
      return out;
    };
    Endpoint liar = net.peer("liar", liarState);
    Endpoint a = honest("a");
    Endpoint b = honest("b");

    CatchUpResult r = run(List.of(liar, a, b));

    assertTrue(r.outcome().success(), r::toString);
    assertTrue(r.fork().isEmpty());
    assertEquals(NETWORK, localState.lastBlock);
    // Sequential, the liar (listed first) serves the first batch, which starts at the local tip;
    // pipelined, whichever batch it served first (the head's, or one after a confirmed end).
    assertFalse(served.isEmpty(), "the liar, listed first, serves a batch");
    assertEquals(1, bans.size(), bans::toString);
    PeerBan ban = bans.get(0);
    assertEquals(liar, ban.peer());
    long caught = ban.blockNumber();
    assertTrue(served.contains(caught + 1), "banned for block " + caught + ", served batches from " + served);
    if (!fetchLimits().pipelined()) {
      assertEquals(LOCAL, caught, "its first block's parent contradicts the confirmed local tip");
    }
    assertArrayEquals(forgedHash(caught), ban.peerHash());
    assertArrayEquals(hash(caught), ban.confirmedHash());
    assertTrue(r.failedPeers().get(liar).startsWith("banned"), r.failedPeers()::toString);
  }

  @Test
  void aLiarConfirmingTheForkedLocalHashCannotHideTheFork() throws Exception {
    localForksAt(6);
    FakeMasterState twinState = new FakeMasterState(1, NETWORK);
    twinState.ranges = (from, to) -> forkedRange(from, to, 6); // the local master's own forked chain, grown on
    Endpoint twin = net.peer("twin", twinState);
    List<Endpoint> honest = List.of(honest("a"), honest("b"), honest("c"));
    List<Endpoint> peers = new ArrayList<>(List.of(twin));
    peers.addAll(honest); // 4 peers: f = 1, 2 confirm; the twin listed first

    CatchUpResult r = run(peers);

    assertEquals(CatchUpResult.Outcome.LOCAL_FORKED, r.outcome(), r::toString);
    assertEquals(Set.copyOf(honest), Set.copyOf(fork(r).confirmedBy()));
    assertEquals(5, fork(r).lastCommonBlock());
    for (Endpoint p : honest) {
      assertFalse(r.failedPeers().containsKey(p), r.failedPeers()::toString);
      assertEquals(0, discovery.health().consecutiveFailures(p));
    }
    assertTrue(discovery.bans().isBanned(twin), "it contradicts what 3 peers confirm: " + bans);
    assertEquals(LOCAL, localState.lastBlock);
  }

  @Test
  void oneLiarVotingAForkedLocalHashCannotMakeAnHonestLocalChainLookForked() throws Exception {
    localState.ranges = FakeMasterState::honestRange;
    FakeMasterState liarState = new FakeMasterState(1, NETWORK);
    List<Long> headBatches = new CopyOnWriteArrayList<>();
    // Honest wherever it must be to serve batches; but for the local tip it votes a fork, and its
    // batches start from that forked tip, so that its batch makes the run ask.
    liarState.ranges = (from, to) -> {
      if (from == to && from <= LOCAL) {
        return forkedRange(from, to, 6);
      }
      List<BlockData> out = new ArrayList<>(honestRange(from, to));
      if (from == LOCAL + 1) {
        headBatches.add(from);
        BlockData b = out.get(0);
        out.set(0, new BlockData(b.blockNumber(), b.blockHash(), 1, b.timestampMs(), forgedHash(LOCAL), null, null,
            null, 0, 0, null));
      }
      return out;
    };
    Endpoint liar = net.peer("liar", liarState);
    Endpoint a = honest("a");
    Endpoint b = honest("b");

    CatchUpResult r = run(List.of(liar, a, b)); // 3 peers: 2 must confirm, the liar is 1

    assertTrue(r.outcome().success(), r::toString);
    assertTrue(r.fork().isEmpty());
    assertEquals(NETWORK, localState.lastBlock);
    if (!fetchLimits().pipelined()) {
      assertFalse(headBatches.isEmpty(), "the liar, listed first, serves the first batch: the run asks for block "
          + LOCAL);
    }
    if (!headBatches.isEmpty()) { // pipelined, an honest peer may have served the head batch first
      assertEquals(1, bans.size(), bans::toString);
      assertEquals(liar, bans.get(0).peer());
      assertEquals(LOCAL, bans.get(0).blockNumber(), "it voted another block " + LOCAL + " than 2 peers confirm");
    }
  }

  @Test
  void whenNoPeerConfirmsTheLocalTipTheBatchFailsItsPeerAsBeforeAndTheQuestionIsAskedOnce() throws Exception {
    localForksAt(6);
    AtomicInteger asked = new AtomicInteger();
    List<Endpoint> peers = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      FakeMasterState s = new FakeMasterState(1, NETWORK);
      s.ranges = (from, to) -> {
        if (from == LOCAL && to == LOCAL) {
          asked.incrementAndGet();
          throw new IllegalStateException("not telling");
        }
        return honestRange(from, to);
      };
      peers.add(net.peer(name, s));
    }

    CatchUpResult r = run(peers);

    assertEquals(CatchUpResult.Outcome.PEERS_EXHAUSTED, r.outcome(), r::toString);
    assertTrue(r.fork().isEmpty());
    assertEquals(Set.copyOf(peers), r.failedPeers().keySet());
    r.failedPeers().values().forEach(why -> assertTrue(why.startsWith("broken batch 301.."), why));
    assertEquals(3, asked.get(), "block " + LOCAL + " asked of each peer once in the run, not once per batch");
  }

  @Test
  void aLocalMasterThatCannotGiveOldBlocksStillGetsTheForkReported() throws Exception {
    localForksAt(6);
    localState.ranges = (from, to) -> {
      if (from < LOCAL) {
        throw new IllegalStateException("no such block");
      }
      return forkedRange(from, to, 6);
    };
    List<Endpoint> peers = List.of(honest("a"), honest("b"), honest("c"));

    CatchUpResult r = run(peers);

    assertEquals(CatchUpResult.Outcome.LOCAL_FORKED, r.outcome(), r::toString);
    assertNobodyBlamed(r, peers);
    assertEquals(LOCAL, fork(r).firstDifferentBlock());
    assertTrue(r.message().contains("the local master did not give block"), r.message());
  }
}
