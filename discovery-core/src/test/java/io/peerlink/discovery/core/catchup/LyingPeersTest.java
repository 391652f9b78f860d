package io.peerlink.discovery.core.catchup;

import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static io.peerlink.discovery.core.testing.FakeMasterState.honestRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerBans;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LogCapture;
import io.peerlink.discovery.core.testing.TestNetwork;
import io.peerlink.transport.api.Endpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Catch-up against peers that lie, not merely fail: a forged chain of the liar's own, a liar at
 * exactly the honest tip listed first, a liar that vouches honestly and then serves its own
 * batch, empty and short hashes, answers beyond what was asked. An empty node must end on the
 * honest chain, and the liar must be banned with its evidence.
 */
class LyingPeersTest {

  private TestNetwork net;
  private FakeMasterState localState;
  private Endpoint local;
  private final List<PeerBan> bans = new CopyOnWriteArrayList<>();
  private PeerDiscovery discovery;

  @BeforeEach
  void setUp() throws Exception {
    net = new TestNetwork();
    localState = new FakeMasterState(1, 0); // an empty node, as in the finding
    local = net.local("local", localState);
  }

  @AfterEach
  void tearDown() throws Exception {
    net.close();
  }

  /** A chain of the liar's own: self-consistent, every hash different from the honest one. */
  static BlockData forged(long n) {
    return new BlockData(n, forgedHash(n), 1, 1_700_000_000_000L + n, forgedHash(n - 1), null, null, null, 0, 0,
        null);
  }

  static byte[] forgedHash(long n) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(("forged " + n).getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static List<BlockData> forgedRange(long from, long to) {
    List<BlockData> out = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      out.add(forged(n));
    }
    return out;
  }

  /** The sequential catch-up here; {@link PipelinedLyingPeersTest} runs every case pipelined. */
  FetchLimits fetchLimits() {
    return FetchLimits.SEQUENTIAL;
  }

  static FakeMasterState liar(long block) {
    FakeMasterState s = new FakeMasterState(1, block);
    s.ranges = LyingPeersTest::forgedRange;
    return s;
  }

  private CatchUpResult run(SelectionPolicy policy, List<Endpoint> peers) throws Exception {
    DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2)).selectionPolicy(policy)
        .fetchLimits(fetchLimits()).build();
    discovery = new PeerDiscovery(net.registry, local, peers, options);
    net.own(discovery);
    CatchUp catchUp = net.catchUp(discovery, bans);
    return catchUp.run().get(30, TimeUnit.SECONDS);
  }

  /** The local master holds exactly blocks 1..last of the honest chain. */
  private void assertHonestChainUpTo(long last) {
    assertEquals(last, localState.lastBlock);
    synchronized (localState) {
      assertEquals(last, localState.synced.size());
      for (BlockData b : localState.synced) {
        assertArrayEquals(hash(b.blockNumber()), b.blockHash(), "block " + b.blockNumber() + " is honest");
      }
    }
  }

  private void assertBanned(Endpoint liar, long block, byte[] liarHash) {
    assertEquals(1, bans.size(), bans::toString);
    PeerBan ban = bans.get(0);
    assertEquals(liar, ban.peer());
    assertEquals(block, ban.blockNumber());
    assertArrayEquals(liarHash, ban.peerHash());
    assertArrayEquals(hash(block), ban.confirmedHash());
    assertTrue(discovery.bans().isBanned(liar));
  }

  @Test
  void aForgedChainClaimingMoreIsNeverStoredAndItsPeerIsBanned() throws Exception {
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 2000));
    Endpoint b = net.peer("honest-b", new FakeMasterState(1, 2000));
    Endpoint liar = net.peer("liar", liar(2500));

    try (LogCapture log = new LogCapture(PeerBans.class)) {
      CatchUpResult r = run(SelectionPolicy.quorum(), List.of(liar, a, b)); // 3 peers: f = 1

      assertTrue(r.outcome().success(), r::toString);
      assertHonestChainUpTo(2000);
      assertBanned(liar, 2000, forgedHash(2000));
      List<String> lines = log.messages(Level.WARNING);
      assertEquals(1, lines.size(), "the ban is logged once: " + lines);
      assertTrue(lines.get(0).contains(liar.toString()) && lines.get(0).contains(Hashes.hex(forgedHash(2000)))
          && lines.get(0).contains(Hashes.hex(hash(2000))), lines.get(0));
    }
    // Banned: not asked, its claim counts toward nothing, and each round's summary counts it (as refused claims).
    try (LogCapture rounds = new LogCapture(PeerDiscovery.class)) {
      DiscoveryResult next = discovery.discover().get(10, TimeUnit.SECONDS);
      PeerOutcome o = next.peers().stream().filter(p -> p.peer().equals(liar)).findFirst().orElseThrow();
      assertEquals(PeerOutcome.Kind.BANNED, o.kind());
      assertEquals(2000, next.networkTip().orElseThrow().lastBlockNumber());
      assertEquals(1, rounds.messages(Level.WARNING).stream()
          .filter(l -> l.contains("1 banned peer(s) not asked, as named when banned")).count(),
          rounds.messages()::toString);
    }
  }

  @Test
  void aLiarAtExactlyTheHonestTipListedFirstServesNothing() throws Exception {
    FakeMasterState liarState = liar(2000);
    Endpoint liar = net.peer("liar", liarState);
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 2000));
    Endpoint b = net.peer("honest-b", new FakeMasterState(1, 2000));

    CatchUpResult r = run(SelectionPolicy.quorum(), List.of(liar, a, b));

    assertTrue(r.outcome().success(), r::toString);
    assertHonestChainUpTo(2000);
    assertBanned(liar, 2000, forgedHash(2000));
    assertEquals(2, liarState.rangeCalls.get(),
        "asked for block 1 (JoinBase: may the empty master start there) and the tip's hash, never for a batch");
  }

  @Test
  void underHighestAForgedTipIsFetchedOnlyAsFarAsASecondPeerConfirms() throws Exception {
    Endpoint liar = net.peer("liar", liar(2500));
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 2000));
    Endpoint b = net.peer("honest-b", new FakeMasterState(1, 1900));

    CatchUpResult r = run(SelectionPolicy.highest(), List.of(liar, a, b));

    // 2500: the liar alone. 2000: the liar and a disagree, no quorum. 1900: a and b agree, the liar is caught.
    assertHonestChainUpTo(1900);
    assertBanned(liar, 1900, forgedHash(1900));
    assertFalse(r.outcome().success(), "2000 stays unconfirmed while only one peer holds it: " + r);
  }

  @Test
  void aLiarThatVouchesHonestlyButServesItsOwnBatchIsBanned() throws Exception {
    FakeMasterState twoFaced = new FakeMasterState(1, 600);
    List<Long> forgedBatchStarts = new CopyOnWriteArrayList<>();
    List<Long> forgedBatchEnds = new CopyOnWriteArrayList<>();
    // Single blocks (what confirmation asks) are honest; batches are its own chain.
    twoFaced.ranges = (from, to) -> {
      if (from == to) {
        return honestRange(from, to);
      }
      forgedBatchStarts.add(from);
      forgedBatchEnds.add(to);
      return forgedRange(from, to);
    };
    Endpoint liar = net.peer("two-faced", twoFaced);
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 600));
    Endpoint b = net.peer("honest-b", new FakeMasterState(1, 600));

    CatchUpResult r = run(SelectionPolicy.quorum(1), List.of(liar, a, b));

    assertTrue(r.outcome().success(), r::toString);
    assertHonestChainUpTo(600);
    if (!fetchLimits().pipelined()) {
      // One request at a time, the first listed peer first: the liar serves the first batch, and
      // it is checked, refused and the liar banned before anything else is fetched.
      assertEquals(List.of(256L), forgedBatchEnds);
      assertBanned(liar, 256, forgedHash(256));
    } else {
      // Pipelined, the first batch fetched goes to the first listed of the least loaded peers,
      // the liar; which batch that is depends on whose confirmation came first. Whichever it is,
      // its answer is checked and contradicts a confirmed hash: its end (block 256, or 600) or the
      // parent of its first block (the confirmed end of the batch before, 256 or 512).
      assertFalse(forgedBatchEnds.isEmpty(), "the liar, listed first, serves the first batch fetched");
      assertEquals(1, bans.size(), bans::toString);
      long caught = bans.get(0).blockNumber();
      assertTrue(forgedBatchEnds.contains(caught) || forgedBatchStarts.contains(caught + 1),
          "banned for block " + caught + ", served " + forgedBatchStarts + ".." + forgedBatchEnds);
      assertBanned(liar, caught, forgedHash(caught));
    }
    assertTrue(r.failedPeers().get(liar).startsWith("banned"), r.failedPeers()::toString);
  }

  @Test
  void aForgedBatchEndingAtTheConfirmedHashThroughItsOwnParentIsRefused() throws Exception {
    FakeMasterState copier = new FakeMasterState(1, 600);
    // Its own chain, but the batch's last block carries the honest hash (with its own parent).
    copier.ranges = (from, to) -> {
      if (from == to) {
        return honestRange(from, to);
      }
      List<BlockData> out = new ArrayList<>(forgedRange(from, to - 1));
      BlockData honest = FakeMasterState.block(to);
      out.add(new BlockData(to, honest.blockHash(), 1, honest.timestampMs(), forgedHash(to - 1), null, null, null, 0, 0,
          null));
      return out;
    };
    Endpoint liar = net.peer("copier", copier);
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 600));
    Endpoint b = net.peer("honest-b", new FakeMasterState(1, 600));

    CatchUpResult r = run(SelectionPolicy.quorum(1), List.of(liar, a, b));

    assertTrue(r.outcome().success(), r::toString);
    assertHonestChainUpTo(600);
    // Pipelined too, the copier (listed first) serves the first batch fetched, and it contradicts
    // a confirmed hash: its end's parent, or its first block's parent (see the two-faced case).
    assertEquals(1, bans.size(), bans::toString);
    assertEquals(liar, bans.get(0).peer());
    if (!fetchLimits().pipelined()) {
      assertEquals(256, bans.get(0).blockNumber());
    }
  }

  @Test
  void emptyAndShortHashesAreNotVotesAndNeverStored() throws Exception {
    FakeMasterState empty = new FakeMasterState(1, 300);
    empty.ranges = (from, to) -> strip(honestRange(from, to), new byte[0]);
    FakeMasterState shortHash = new FakeMasterState(1, 300);
    shortHash.ranges = (from, to) -> strip(honestRange(from, to), new byte[] {1, 2, 3, 4});
    Endpoint e = net.peer("empty-hashes", empty);
    Endpoint s = net.peer("short-hashes", shortHash);
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 300));

    CatchUpResult r = run(SelectionPolicy.quorum(1), List.of(e, s, a));

    assertEquals(CatchUpResult.Outcome.UNCONFIRMED, r.outcome(), r::toString);
    assertTrue(r.message().contains("block_hash of 0 bytes") && r.message().contains("block_hash of 4 bytes"),
        r.message());
    assertEquals(0, localState.lastBlock, "nothing stored");
    assertTrue(bans.isEmpty(), "a malformed answer is not a contradiction: " + bans);
  }

  @Test
  void anAnswerBeyondWhatWasAskedIsRefusedAndAnotherPeerServes() throws Exception {
    FakeMasterState over = new FakeMasterState(1, 3000);
    over.ranges = (from, to) -> from == to ? honestRange(from, to) : honestRange(from, to + 5);
    Endpoint o = net.peer("over", over);
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 3000));

    CatchUpResult r = run(SelectionPolicy.quorum(1), List.of(o, a));

    assertTrue(r.outcome().success(), r::toString);
    assertHonestChainUpTo(3000);
    assertTrue(r.failedPeers().get(o).contains("more blocks than asked"), r.failedPeers()::toString);
  }

  @Test
  void aShortHonestBatchIsTakenOnceItsEndIsConfirmed() throws Exception {
    FakeMasterState capped = new FakeMasterState(1, 1000);
    capped.ranges = (from, to) -> honestRange(from, Math.min(to, from + 99)); // answers at most 100 blocks
    Endpoint c = net.peer("capped", capped);
    Endpoint a = net.peer("honest-a", new FakeMasterState(1, 1000));

    CatchUpResult r = run(SelectionPolicy.quorum(1), List.of(c, a));

    assertTrue(r.outcome().success(), r::toString);
    assertHonestChainUpTo(1000);
    assertTrue(r.failedPeers().isEmpty(), r.failedPeers()::toString);
  }

  private static List<BlockData> strip(List<BlockData> blocks, byte[] hash) {
    List<BlockData> out = new ArrayList<>();
    for (BlockData b : blocks) {
      out.add(new BlockData(b.blockNumber(), hash, b.epoch(), b.timestampMs(), b.parentHash(), null, null, null, 0, 0,
          null));
    }
    return out;
  }

  @Test
  void aBanLastsItsDurationThenEnds() {
    AtomicLong now = new AtomicLong(1_000);
    PeerBans book = new PeerBans(Duration.ofHours(1), now::get);
    Endpoint p = Endpoint.parse("tcp://127.0.0.1:1");
    assertTrue(book.ban(p, 7, hash(-7), hash(7), "returned another hash").isPresent());
    assertTrue(book.ban(p, 8, hash(-8), hash(8), "again").isEmpty(), "a second ban in force is not a new one");
    now.addAndGet(Duration.ofMinutes(59).toNanos());
    assertTrue(book.isBanned(p));
    assertEquals(Duration.ofMinutes(1), book.remaining(p));
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertFalse(book.isBanned(p));
    assertEquals(Duration.ZERO, book.remaining(p));
  }
}
