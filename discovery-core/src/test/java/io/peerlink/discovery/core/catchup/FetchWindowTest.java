package io.peerlink.discovery.core.catchup;

import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static io.peerlink.discovery.core.testing.FakeMasterState.honestRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.RangeRateRefusal;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LocalMasterFixture;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipelined catch-up ({@link FetchWindow}) against fake masters on the in-memory transport:
 * blocks 101..1000 in slots of 50, with peers that answer out of order, hang, lie or crawl.
 */
class FetchWindowTest extends LocalMasterFixture {

  private static final long TIP = 1000;

  private final CountDownLatch released = new CountDownLatch(1); // lets hung fake peers go at the end
  private final CountDownLatch laterServed = new CountDownLatch(1); // a batch past the first was served
  private final AtomicInteger rangesInFlight = new AtomicInteger();
  private final AtomicInteger mostRangesInFlight = new AtomicInteger();
  private final List<Long> served = new CopyOnWriteArrayList<>(); // first block of each batch served, in order
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<String> milestones = new CopyOnWriteArrayList<>(); // a fetch given up, a ban
  private final List<PeerBan> bans = new CopyOnWriteArrayList<>();
  private final CountDownLatch banned = new CountDownLatch(1);
  private CountDownLatch timedOut = new CountDownLatch(1); // a fetch was given up for want of progress
  private volatile Endpoint blamed; // whose fetch that was
  private DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2)).batchSize(50)
      .fetchLimits(new FetchLimits(16, 8)).build();

  FetchWindowTest() {
    super(100);
  }

  @AfterEach
  void releaseHungPeers() {
    released.countDown();
  }

  /** A peer at the tip whose batch answers (not its single-block votes) go through {@code batches}. */
  private Endpoint peer(String name, FakeMasterState.RangeServer batches) throws Exception {
    return peer(name, TIP, batches);
  }

  /** As {@link #peer(String, FakeMasterState.RangeServer)}, holding blocks up to {@code tip}. */
  private Endpoint peer(String name, long tip, FakeMasterState.RangeServer batches) throws Exception {
    FakeMasterState state = new FakeMasterState(1, tip);
    state.ranges = (from, to) -> {
      if (from == to) {
        return honestRange(from, to);
      }
      mostRangesInFlight.accumulateAndGet(rangesInFlight.incrementAndGet(), Math::max);
      try {
        List<BlockData> out = batches.serve(from, to);
        served.add(from);
        if (from != 101) {
          laterServed.countDown();
        }
        return out;
      } finally {
        rangesInFlight.decrementAndGet();
      }
    };
    return net.peer(name, state);
  }

  private Endpoint honest(String name) throws Exception {
    return peer(name, FakeMasterState::honestRange);
  }

  private CatchUpResult catchUp(List<Endpoint> peers, BlockSink sink) throws Exception {
    return catchUp(peers, sink, ForkJoinPool.commonPool());
  }

  /** As {@link #catchUp(List, BlockSink)}, its steps run on {@code steps}. */
  private CatchUpResult catchUp(List<Endpoint> peers, BlockSink sink, Executor steps) throws Exception {
    PeerDiscovery discovery = new PeerDiscovery(net.registry, local, peers, options);
    net.own(discovery);
    CatchUp catchUp = new CatchUp(new SyncChecker(discovery), sink, steps);
    catchUp.addListener(new CatchUpListener() {
      @Override
      public void onBatchFetched(Endpoint peer, int blocks) {
        events.add("+" + blocks);
      }

      @Override
      public void onBatchApplied(Endpoint peer, long blocks) {
        events.add("-" + blocks);
      }

      @Override
      public void onPeerBanned(PeerBan ban) {
        bans.add(ban);
        milestones.add("banned");
        banned.countDown();
      }

      @Override
      public void onBatchFailed(Endpoint peer, PeerOutcome.Kind kind) {
        if (kind == PeerOutcome.Kind.TIMED_OUT && timedOut.getCount() > 0) {
          milestones.add("gave up");
          blamed = peer;
          timedOut.countDown();
        }
      }
    });
    return catchUp.run().get(30, TimeUnit.SECONDS);
  }

  private BlockSink localMaster() {
    MasterClient client = new MasterClient(net.registry, local, Duration.ofSeconds(5));
    net.own(client);
    return BlockSink.syncBlocksTo(client);
  }

  /** Caught up to the tip, every block on the honest chain and taken in order. */
  private void assertCaughtUp(CatchUpResult r) {
    assertEquals(CatchUpResult.Outcome.CAUGHT_UP, r.outcome(), r::toString);
    assertEquals(TIP, localState.lastBlock);
    synchronized (localState) {
      for (int i = 0; i < localState.synced.size(); i++) {
        BlockData b = localState.synced.get(i);
        assertEquals(101 + i, b.blockNumber());
        assertTrue(Arrays.equals(hash(b.blockNumber()), b.blockHash()));
      }
    }
  }

  @Test
  void appliesInOrderWhenLaterBatchesArriveFirst() throws Exception {
    // Whoever is asked for the first batch answers only after a later batch was served.
    FakeMasterState.RangeServer holdsFirst = (from, to) -> {
      if (from == 101) {
        laterServed.await(5, TimeUnit.SECONDS);
      }
      return honestRange(from, to);
    };
    CatchUpResult r = catchUp(List.of(peer("a", holdsFirst), peer("b", holdsFirst), peer("c", holdsFirst)),
        localMaster());

    assertCaughtUp(r);
    // A later batch was served before the first was answered: never so one request at a time.
    assertTrue(served.get(0) != 101, () -> "served in order " + served);
  }

  @Test
  void aBatchThatTimesOutIsAskedOfAnotherPeer() throws Exception {
    options = options.toBuilder().fetchTimeout(Duration.ofMillis(500)).build();
    Endpoint hangs = peer("hangs", (from, to) -> {
      released.await(10, TimeUnit.SECONDS);
      return honestRange(from, to);
    });
    CatchUpResult r = catchUp(List.of(hangs, honest("b"), honest("c")), localMaster());

    assertCaughtUp(r);
    assertTrue(r.failedPeers().get(hangs).contains("no answer within 500 ms"), r.failedPeers()::toString);
  }

  @Test
  void aBatchEndingAtAnotherHashBansItsPeerAndIsAskedAgain() throws Exception {
    // A chain that leaves the honest one at its last block: every parent link holds, the end does not.
    Endpoint liar = peer("liar", (from, to) -> {
      List<BlockData> out = new ArrayList<>(honestRange(from, to));
      BlockData b = out.get(out.size() - 1);
      out.set(out.size() - 1, new BlockData(b.blockNumber(), hash(-b.blockNumber()), b.epoch(), b.timestampMs(),
          b.parentHash(), b.stateRoot(), b.transactionsRoot(), b.receiptsRoot(), b.gasUsed(), b.gasLimit(),
          b.extraData()));
      return out;
    });
    CatchUpResult r = catchUp(List.of(liar, honest("b"), honest("c")), localMaster());

    assertCaughtUp(r);
    assertTrue(r.failedPeers().get(liar).startsWith("banned: served a batch ending at another block"),
        r.failedPeers()::toString);
  }

  @Test
  void aBatchWhoseFirstParentIsNotTheConfirmedEndBeforeItBansItsPeer() throws Exception {
    // Honest but for the parent of each batch's first block, past the head slot (which chains from
    // the local tip, not from a confirmed hash): every later slot's answer contradicts the
    // confirmed end of the slot before it. Before, that only failed the peer, unbanned.
    List<Long> lied = new CopyOnWriteArrayList<>();
    Endpoint liar = peer("liar", (from, to) -> {
      List<BlockData> out = new ArrayList<>(honestRange(from, to));
      if (from != 101) {
        BlockData b = out.get(0);
        out.set(0, new BlockData(b.blockNumber(), b.blockHash(), b.epoch(), b.timestampMs(), hash(-(from - 1)),
            b.stateRoot(), b.transactionsRoot(), b.receiptsRoot(), b.gasUsed(), b.gasLimit(), b.extraData()));
        lied.add(from);
      }
      return out;
    });
    CatchUpResult r = catchUp(List.of(liar, honest("b"), honest("c")), localMaster());

    assertCaughtUp(r);
    assertTrue(!lied.isEmpty(), "the liar, listed first, was asked for a slot past the head");
    assertEquals(1, bans.size(), bans::toString);
    PeerBan ban = bans.get(0);
    assertEquals(liar, ban.peer());
    assertTrue(lied.contains(ban.blockNumber() + 1), "banned at block " + ban.blockNumber() + ", lied from " + lied);
    assertTrue(Arrays.equals(hash(-ban.blockNumber()), ban.peerHash()) && Arrays.equals(hash(ban.blockNumber()),
        ban.confirmedHash()), ban::toString);
    assertTrue(r.failedPeers().get(liar).startsWith("banned: served block " + (ban.blockNumber() + 1)
        + " whose parent_hash is another than the hash of block " + ban.blockNumber()), r.failedPeers()::toString);
  }

  @Test
  void aForgedAnswerThatArrivesAfterTheRunGaveUpOnItStillBansItsPeer() throws Exception {
    // Nothing past the first batch is served within the no-progress timeout, so the run gives up
    // on its fetches and stalls; then the liar's answer comes, forged (soon enough that the status
    // call queued behind it on its connection is answered in time, so the connection stays up).
    // It is not kept, but checked: the liar is banned. Before, an answer after the give-up was
    // dropped. The stall is reported against the peer of the fetch whose wait ran out first, and
    // that peer's connection is dropped with everything in flight on it; so the liar's fetch must
    // never be that one. A fetch waits until the last progress plus the timeout: the hanging
    // peers' fetches are asked before the first batch is applied, the liar's only after, so theirs
    // run out first, and the run's steps, on one thread, take the give-ups in that order.
    options = options.toBuilder().noProgressTimeout(Duration.ofSeconds(2)).fetchTimeout(Duration.ofSeconds(20))
        .fetchLimits(new FetchLimits(16, 5)).build();
    long end = 450; // seven batches: six open at once, the seventh once the first is applied
    CountDownLatch gaveUp = new CountDownLatch(1);
    CountDownLatch laterAsked = new CountDownLatch(1);
    FakeMasterState.RangeServer hangs = (from, to) -> {
      if (from == 101) {
        // The first batch, once a later one was asked of the other peer: so that fetch waits from
        // before the progress this batch makes.
        laterAsked.await(20, TimeUnit.SECONDS);
        return honestRange(from, to);
      }
      laterAsked.countDown();
      released.await(20, TimeUnit.SECONDS);
      return honestRange(from, to);
    };
    // The liar votes only for the tip (any other one-block request is an error, as from a master
    // that pruned it), so the only batch it confirmed the end of is the last, which opens once the
    // first batch is applied; the hanging peers are busy, so it is asked of the liar.
    AtomicInteger liarAsked = new AtomicInteger();
    FakeMasterState liarState = new FakeMasterState(1, end);
    liarState.ranges = (from, to) -> {
      if (from == to) {
        if (to != end) {
          throw new IllegalStateException("block " + to + " is pruned");
        }
        return honestRange(from, to);
      }
      liarAsked.incrementAndGet();
      gaveUp.await(20, TimeUnit.SECONDS);
      return LyingPeersTest.forgedRange(from, to);
    };
    Endpoint liar = net.peer("liar", liarState);
    timedOut = gaveUp;
    ExecutorService steps = Executors.newSingleThreadExecutor();
    try {
      CatchUpResult r = catchUp(List.of(peer("b", end, hangs), peer("c", end, hangs), liar), localMaster(), steps);

      assertEquals(CatchUpResult.Outcome.STALLED, r.outcome(), r::toString);
      assertEquals(1, liarAsked.get(), "the liar, least loaded, was asked for the last batch");
      assertNotEquals(liar, blamed, "the stall was reported against a hanging peer's fetch, not the liar's");
      assertTrue(banned.await(20, TimeUnit.SECONDS), "the late forged answer was checked and its peer banned");
      assertEquals(liar, bans.get(0).peer());
      assertEquals(List.of("gave up", "banned"), milestones);
      assertEquals(150, localState.lastBlock, "the first batch was applied, nothing of the forged one");
    } finally {
      steps.shutdownNow();
    }
  }

  @Test
  void holdsNoMoreThanBatchesAheadBesidesTheOneBeingApplied() throws Exception {
    options = options.toBuilder().fetchLimits(new FetchLimits(16, 3)).build();
    BlockSink master = localMaster();
    // A master slower than the peers: without the bound, fetching would run far ahead of applying.
    BlockSink slow = blocks -> CompletableFuture.supplyAsync(() -> null,
        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)).thenCompose(v -> master.apply(blocks));
    CatchUpResult r = catchUp(List.of(honest("a"), honest("b"), honest("c")), slow);

    assertCaughtUp(r);
    List<Integer> held = held();
    int most = held.stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertTrue(most <= (3 + 1) * 50 && most > 50, held::toString);
  }

  @Test
  void holdsNoMoreBytesAheadThanItsByteBoundWhateverTheBatchBound() throws Exception {
    // Blocks of 20 KB: 64 batches of 50 ahead would be 64 MB; the byte bound is 2 MiB.
    int raw = 20_000;
    long bound = 2L << 20;
    options = options.toBuilder().fetchLimits(new FetchLimits(16, 64, bound)).build();
    FakeMasterState.RangeServer large = (from, to) -> honestRange(from, to).stream().map(b -> new BlockData(
        b.blockNumber(), b.blockHash(), b.epoch(), b.timestampMs(), b.parentHash(), null, null, null, 0, 0, null,
        new byte[raw], null, b.unknownFields())).toList();
    BlockSink master = localMaster();
    BlockSink slow = blocks -> CompletableFuture.supplyAsync(() -> null,
        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)).thenCompose(v -> master.apply(blocks));
    CatchUpResult r = catchUp(List.of(peer("a", large), peer("b", large), peer("c", large)), slow);

    assertCaughtUp(r);
    int blockBytes = honestRange(101, 101).get(0).encodedSize() + raw + 4; // field 12's tag and length
    List<Integer> held = held();
    int most = held.stream().mapToInt(Integer::intValue).max().orElseThrow();
    // The bound, and the batch next in line, which is always fetched; still pipelined (over one batch).
    assertTrue((long) most * blockBytes <= bound + 50L * blockBytes && most > 50, () -> held + " blocks of "
        + blockBytes + " bytes");
  }

  /**
   * The blocks held after each fetch and apply event: they are told under the run's lock, in
   * order, so blocks fetched minus blocks applied is what is held.
   */
  private List<Integer> held() {
    List<Integer> held = new ArrayList<>();
    int now = 0;
    for (String e : events) {
      now += Integer.parseInt(e);
      held.add(now);
    }
    return held;
  }

  @Test
  void aPeerOverItsRangeRateLimitRestsAndIsNotFailed() throws Exception {
    overTheRateLimit();
  }

  @Test
  void sequentiallyTooAPeerOverItsRangeRateLimitIsAskedAgainAfterARest() throws Exception {
    options = options.toBuilder().fetchLimits(FetchLimits.SEQUENTIAL).build();
    overTheRateLimit();
  }

  private void overTheRateLimit() throws Exception {
    AtomicInteger refusals = new AtomicInteger();
    Endpoint limited = peer("limited", (from, to) -> {
      if (refusals.getAndIncrement() < 3) {
        throw new IllegalStateException(RangeRateRefusal.text("127.0.0.1", 100, "limits.x"));
      }
      return honestRange(from, to);
    });
    CatchUpResult r = catchUp(List.of(limited, honest("b")), localMaster());

    assertCaughtUp(r);
    assertTrue(refusals.get() >= 1, "the limited peer was never asked");
    // Sequentially the same peer is asked again after each rest, until it serves.
    assertTrue(options.fetchLimits().pipelined() || refusals.get() > 3, "asked " + refusals.get() + " times");
    assertTrue(r.failedPeers().isEmpty(), r.failedPeers()::toString);
  }

  @Test
  void aSlowPeerIsDroppedAndTheOthersServeTheRest() throws Exception {
    Endpoint slow = peer("slow", (from, to) -> {
      released.await(FetchWindow.SLOW_AFTER_NANOS + 200_000_000L, TimeUnit.NANOSECONDS); // a link that crawls
      return honestRange(from, to);
    });
    CatchUpResult r = catchUp(List.of(slow, honest("b"), honest("c")), localMaster());

    assertCaughtUp(r);
    assertTrue(r.failedPeers().get(slow).contains("too slow"), r.failedPeers()::toString);
  }

  @Test
  void oneFetchInFlightIsTheSequentialCatchUp() throws Exception {
    options = options.toBuilder().fetchLimits(FetchLimits.SEQUENTIAL).build();
    CatchUpResult r = catchUp(List.of(honest("a"), honest("b"), honest("c")), localMaster());

    assertCaughtUp(r);
    assertEquals(1, mostRangesInFlight.get());
    List<Long> inOrder = new ArrayList<>();
    for (long from = 101; from <= TIP; from += 50) {
      inOrder.add(from);
    }
    assertEquals(inOrder, served);
  }
}
