package io.peerlink.discovery.core.catchup;

import static io.peerlink.discovery.core.testing.FakeMasterState.block;
import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static io.peerlink.discovery.core.testing.FakeMasterState.honestRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LocalMasterFixture;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CatchUpTest extends LocalMasterFixture {

  private DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2)).build();

  private final List<String> batches = new java.util.concurrent.CopyOnWriteArrayList<>();

  CatchUpTest() {
    super(100);
  }

  private CatchUpResult catchUp(List<Endpoint> peers) throws Exception {
    PeerDiscovery discovery = new PeerDiscovery(net.registry, local, peers, options);
    net.own(discovery);
    CatchUp catchUp = net.catchUp(discovery);
    catchUp.addListener(new CatchUpListener() {
      @Override
      public void onBatchFetched(Endpoint peer, int blocks) {
        batches.add("fetched " + blocks + " from " + peer);
      }

      @Override
      public void onBatchApplied(Endpoint peer, long blocks) {
        batches.add("applied " + blocks + " from " + peer);
      }

      @Override
      public void onBatchFailed(Endpoint peer, PeerOutcome.Kind kind) {
        batches.add(kind + " from " + peer);
      }
    });
    return catchUp.run().get(20, TimeUnit.SECONDS);
  }

  /** The blocks the local master took run 101, 102, ... on the honest chain. */
  private void assertLocalChainUpTo(long last) {
    assertEquals(last, localState.lastBlock);
    synchronized (localState) {
      for (int i = 0; i < localState.synced.size(); i++) {
        BlockData b = localState.synced.get(i);
        assertEquals(101 + i, b.blockNumber());
        assertTrue(java.util.Arrays.equals(hash(b.blockNumber()), b.blockHash()));
      }
    }
  }

  private static List<BlockData> withParent(List<BlockData> blocks, int index, byte[] parent) {
    List<BlockData> out = new ArrayList<>(blocks);
    BlockData b = out.get(index);
    out.set(index, new BlockData(b.blockNumber(), b.blockHash(), b.epoch(), b.timestampMs(), parent, b.stateRoot(),
        b.transactionsRoot(), b.receiptsRoot(), b.gasUsed(), b.gasLimit(), b.extraData()));
    return out;
  }

  @Test
  void movesPastAPeerThatServesABadBatchAndCompletes() throws Exception {
    FakeMasterState liar = new FakeMasterState(1, 1000);
    // Its first batch is good; its second breaks the chain right at the batch boundary.
    // It vouches honestly for single blocks (what confirmation asks).
    liar.ranges = (from, to) -> from == 101 || from == to ? honestRange(from, to)
        : withParent(honestRange(from, to), 0, hash(-7));
    FakeMasterState honest = new FakeMasterState(1, 1000);
    Endpoint a = net.peer("liar", liar);
    Endpoint b = net.peer("honest", honest);
    // The liar is banned (its first parent contradicts the confirmed local tip): a second honest
    // peer keeps two voices for the confirmations after it.
    Endpoint c = net.peer("honest-2", new FakeMasterState(1, 1000));

    CatchUpResult r = catchUp(List.of(a, b, c));

    assertEquals(CatchUpResult.Outcome.CAUGHT_UP, r.outcome(), r::toString);
    assertLocalChainUpTo(1000);
    assertEquals(900, r.blocksApplied());
    assertEquals(100, r.startBlock());
    assertEquals(1000, r.localBlock());
    assertEquals(List.of(a), List.copyOf(r.failedPeers().keySet()));
    assertTrue(r.failedPeers().get(a).startsWith("banned: served block 357 whose parent_hash is another than the"
        + " hash of block 356"), r.failedPeers()::toString);
    // The listener hears each batch by the peer that served it, and the lying one as a protocol error.
    List<String> expected = new ArrayList<>(List.of("fetched 256 from " + a, "applied 256 from " + a,
        "PROTOCOL_ERROR from " + a));
    for (long from = 357; from <= 1000; from += 256) {
      int n = (int) Math.min(256, 1001 - from);
      expected.add("fetched " + n + " from " + b);
      expected.add("applied " + n + " from " + b);
    }
    assertEquals(expected, batches);
    assertEquals(1, r.lastStatus().discovery().peers().stream().filter(o -> o.peer().equals(b)).count());
    assertTrue(r.lastStatus().ready());
  }

  @Test
  void anEmptyBatchMovesToTheNextPeer() throws Exception {
    FakeMasterState empty = new FakeMasterState(1, 300);
    // It vouches for single blocks, so it is a source, but serves no batch.
    empty.ranges = (from, to) -> from == to ? honestRange(from, to) : List.of();
    Endpoint a = net.peer("empty", empty);
    Endpoint b = net.peer("honest", new FakeMasterState(1, 300));

    CatchUpResult r = catchUp(List.of(a, b));

    assertEquals(CatchUpResult.Outcome.CAUGHT_UP, r.outcome(), r::toString);
    assertLocalChainUpTo(300);
    assertTrue(r.failedPeers().get(a).contains("empty batch"), r.failedPeers()::toString);
  }

  @Test
  void underHighestATipNoSecondPeerConfirmsIsNotFetched() throws Exception {
    Endpoint a = net.peer("ahead", new FakeMasterState(1, 400));
    Endpoint b = net.peer("honest", new FakeMasterState(1, 300));

    CatchUpResult r = catchUp(List.of(a, b));

    // 400 is claimed by one peer only; 300 by both, who agree: the node goes to 300 and no further.
    assertLocalChainUpTo(300);
    assertTrue(r.failedPeers().isEmpty(), "nobody lied: " + r);
  }

  @Test
  void theFirstBlockMustFollowTheLocalTip() throws Exception {
    FakeMasterState forked = new FakeMasterState(1, 200);
    forked.ranges = (from, to) -> from == to ? honestRange(from, to) : withParent(honestRange(from, to), 0, hash(-100));
    Endpoint a = net.peer("forked", forked);
    Endpoint b = net.peer("honest", new FakeMasterState(1, 200));

    CatchUpResult r = catchUp(List.of(a, b));

    assertEquals(CatchUpResult.Outcome.CAUGHT_UP, r.outcome(), r::toString);
    // Its block 101's parent contradicts the local tip both peers confirm: a lie, not a local fork.
    assertTrue(r.failedPeers().get(a).startsWith("banned: served block 101 whose parent_hash is another than the"
        + " hash of block 100"), r.failedPeers()::toString);
    assertLocalChainUpTo(200);
  }

  @Test
  void everyPeerBadIsPeersExhaustedWithNothingApplied() throws Exception {
    FakeMasterState gappy = new FakeMasterState(1, 500);
    gappy.ranges = (from, to) -> List.of(block(from), block(from + 2));
    FakeMasterState erroring = new FakeMasterState(1, 500);
    erroring.ranges = (from, to) -> {
      throw new IllegalStateException("pruned");
    };
    Endpoint a = net.peer("gappy", gappy);
    Endpoint b = net.peer("erroring", erroring);

    CatchUpResult r = catchUp(List.of(a, b));

    // Neither answer for block 500 counts (two blocks for one asked; an error): nothing is confirmed, nothing fetched.
    assertEquals(CatchUpResult.Outcome.UNCONFIRMED, r.outcome(), r::toString);
    assertEquals(100, localState.lastBlock);
    assertEquals(0, r.blocksApplied());
    assertTrue(r.message().contains(a + "=answered 2 blocks for block 500..500"), r.message());
    assertTrue(r.message().contains("pruned"), r.message());
  }

  @Test
  void noProgressEndsAsStalledAfterRerunningDiscovery() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FakeMasterState slow = new FakeMasterState(1, 1000);
    slow.ranges = (from, to) -> {
      release.await(30, TimeUnit.SECONDS); // holds this connection's answer, as a hung peer would
      return honestRange(from, to);
    };
    Endpoint a = net.peer("slow", slow);
    options = options.toBuilder().noProgressTimeout(Duration.ofMillis(400)).build();
    try {
      long start = System.nanoTime();
      CatchUpResult r = catchUp(List.of(a));
      assertEquals(CatchUpResult.Outcome.STALLED, r.outcome(), r::toString);
      assertTrue(r.message().contains("no progress for"), r.message());
      assertTrue(r.message().contains("discovery re-run"), r.message());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "gave up instead of hanging");
      assertEquals(100, localState.lastBlock);
    } finally {
      release.countDown();
    }
  }

  @Test
  void nothingToDoWithinTheThreshold() throws Exception {
    FakeMasterState near = new FakeMasterState(1, 104);
    CatchUpResult r = catchUp(List.of(net.peer("near", near)));
    assertEquals(CatchUpResult.Outcome.UP_TO_DATE, r.outcome());
    assertEquals(0, near.rangeCalls.get());
  }

  @Test
  void behindByEpochFetchesTheMissingBlocksThenLeavesTheEpochToTheApplication() throws Exception {
    Endpoint a = net.peer("next-epoch", new FakeMasterState(2, 150));
    CatchUpResult r = catchUp(List.of(a));
    assertEquals(CatchUpResult.Outcome.NOTHING_TO_FETCH, r.outcome(), r::toString);
    assertEquals(50, r.blocksApplied());
    assertLocalChainUpTo(150);
    assertTrue(r.message().contains("SyncingEpoch"), r.message());
  }

  @Test
  void isolatedHasNoPeersToCatchUpFrom() throws Exception {
    CatchUpResult r = catchUp(List.of(net.refused("gone")));
    assertEquals(CatchUpResult.Outcome.NO_PEERS, r.outcome(), "peers configured, none answered: isolated, nothing to fetch");

    options = options.toBuilder().minimumPeers(1).build();
    CatchUpResult strict = catchUp(List.of(net.refused("gone2")));
    assertEquals(CatchUpResult.Outcome.NO_PEERS, strict.outcome(), strict::toString);
  }

  @Test
  void aFailingSinkStopsTheRun() throws Exception {
    Endpoint a = net.peer("honest", new FakeMasterState(1, 1000));
    PeerDiscovery discovery = new PeerDiscovery(net.registry, local, List.of(a), options);
    net.own(discovery);
    BlockSink sink = mock(BlockSink.class);
    when(sink.apply(anyList())).thenReturn(CompletableFuture.failedFuture(new IllegalStateException("disk full")));
    CatchUpResult r = new CatchUp(new SyncChecker(discovery), sink).run().get(20, TimeUnit.SECONDS);
    assertEquals(CatchUpResult.Outcome.SINK_FAILED, r.outcome());
    assertTrue(r.message().contains("disk full"), r.message());
    assertTrue(r.failedPeers().isEmpty(), "the peer is not blamed for the sink");
    // Exactly one verified batch of the configured size, starting after the local tip, was offered.
    verify(sink, times(1)).apply(argThat(b -> b.size() == 256 && b.get(0).blockNumber() == 101
        && b.get(255).blockNumber() == 356));
    verify(sink, org.mockito.Mockito.atLeastOnce()).name(); // for the message
    verifyNoMoreInteractions(sink);
  }

  @Test
  void verifyChecksNumbersRangeWholeHashesAndTheChainFromTheLocalTip() {
    assertNull(BatchCheck.verify(honestRange(5, 9), 5, 9, hash(4)));
    assertNull(BatchCheck.verify(honestRange(5, 7), 5, 9, hash(4)), "fewer than asked passes here; CatchUp confirms its end");
    assertNull(BatchCheck.verify(honestRange(1, 3), 1, 3, null), "block 1 has no parent to check");
    assertEquals("empty batch", BatchCheck.verify(List.of(), 5, 9, hash(4)));
    assertTrue(BatchCheck.verify(honestRange(6, 9), 5, 9, hash(4)).contains("block 6 does not follow block 4: expected block 5"));
    assertTrue(BatchCheck.verify(honestRange(5, 10), 5, 9, hash(4)).contains("more blocks than asked"));
    assertTrue(BatchCheck.verify(honestRange(5, 9), 5, 9, hash(99)).contains("block 5 has parent_hash"));
    assertTrue(BatchCheck.verify(withParent(honestRange(5, 9), 3, hash(1)), 5, 9, hash(4)).contains("block 8"));
    assertTrue(BatchCheck.verify(honestRange(5, 9), 5, 9, null).contains("hash of block 4 is unknown"),
        "an unknown local tip hash never skips the check");
    // Missing or short hashes are refused, never skipped.
    List<BlockData> noHashes = new ArrayList<>();
    for (long n = 5; n <= 9; n++) {
      noHashes.add(new BlockData(n, null, 1, 0, null, null, null, null, 0, 0, null));
    }
    assertTrue(BatchCheck.verify(noHashes, 5, 9, hash(4)).contains("block 5 has a block_hash of 0 bytes"));
    List<BlockData> noParent = withParent(honestRange(5, 9), 2, new byte[0]);
    assertTrue(BatchCheck.verify(noParent, 5, 9, hash(4)).contains("block 7 has a parent_hash of 0 bytes"));
    BlockData shortHash = new BlockData(5, new byte[] {1, 2, 3}, 1, 0, hash(4), null, null, null, 0, 0, null);
    assertTrue(BatchCheck.verify(List.of(shortHash), 5, 9, hash(4)).contains("block_hash of 3 bytes; 32 expected"));
  }
}
