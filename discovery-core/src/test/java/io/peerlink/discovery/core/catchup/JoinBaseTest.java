package io.peerlink.discovery.core.catchup;

import static io.peerlink.discovery.core.testing.FakeMasterState.hash;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.testing.FakeMasterState;
import io.peerlink.discovery.core.testing.LocalMasterFixture;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An empty local master joining peers that pruned block 1 ({@link JoinBase}): the base is the lowest
 * block f+1 peers hold, or the operator's checkpoint, and a peer that lies about its floor or the
 * base block cannot move it.
 */
class JoinBaseTest extends LocalMasterFixture {

  private static final long TIP = 400;

  private final List<PeerBan> bans = new CopyOnWriteArrayList<>();

  JoinBaseTest() {
    super(0);
  }

  /** A master holding blocks floor..TIP of the honest chain, answering the pruned error below. */
  private static FakeMasterState pruned(long floor) {
    FakeMasterState s = new FakeMasterState(1, TIP);
    s.ranges = (from, to) -> {
      if (from < floor) {
        throw new IllegalStateException("get_blocks_range " + from + ".." + to + ": blocks below " + floor
            + " were pruned (this master keeps the newest blocks); it holds blocks " + floor + ".." + TIP);
      }
      return FakeMasterState.honestRange(from, to);
    };
    return s;
  }

  private CatchUpResult join(List<Endpoint> peers, TrustedCheckpoint checkpoint) throws Exception {
    PeerDiscovery discovery = new PeerDiscovery(net.registry, local, peers,
        DiscoveryOptions.builder().queryTimeout(Duration.ofSeconds(2)).build());
    net.own(discovery);
    CatchUp catchUp = net.catchUp(discovery, bans);
    catchUp.trustCheckpoint(checkpoint);
    return catchUp.run().get(20, TimeUnit.SECONDS);
  }

  private void assertHonestFrom(long base) {
    synchronized (localState) {
      assertEquals(base, localState.synced.get(0).blockNumber(), "the base is the first block stored");
      for (BlockData b : localState.synced) {
        assertArrayEquals(hash(b.blockNumber()), b.blockHash(), "block " + b.blockNumber());
      }
    }
    assertEquals(TIP, localState.lastBlock);
  }

  @Test
  void theBaseIsTheLowestBlockTwoPeersHoldAndALiarsLowerFloorAndForgedBlockDoNotMoveIt() throws Exception {
    FakeMasterState liar = pruned(20);
    liar.ranges = (from, to) -> {
      List<BlockData> out = new ArrayList<>();
      for (long n = from; n <= to; n++) {
        byte[] forged = hash(n + 1_000_000);
        out.add(new BlockData(n, forged, 1, 1, hash(n + 999_999), null, null, null, 0, 0, null));
      }
      return out; // claims to hold everything (floor 1 for block 1), all forged
    };
    Endpoint liarPeer = net.peer("liar", liar);
    List<Endpoint> peers = List.of(liarPeer, net.peer("a", pruned(50)), net.peer("b", pruned(50)),
        net.peer("c", pruned(80)));
    CatchUpResult r = join(peers, null);
    // Floors: liar 1, a 50, b 50, c 80 -> the 2nd lowest, 50, which the liar's forged block 50 contradicts.
    assertTrue(r.outcome().success(), r.toString());
    assertHonestFrom(50);
    assertTrue(bans.stream().anyMatch(b -> b.peer().equals(liarPeer)), "the liar is banned: " + bans);
  }

  @Test
  void aLiarsLowFloorThatLeavesOneHonestHolderMovesTheBaseUpNotOntoItsChain() throws Exception {
    FakeMasterState liar = pruned(1);
    liar.ranges = (from, to) -> List.of(new BlockData(from, hash(from + 1_000_000), 1, 1, hash(from + 999_999),
        null, null, null, 0, 0, null));
    Endpoint liarPeer = net.peer("liar", liar);
    CatchUpResult r = join(List.of(liarPeer, net.peer("a", pruned(50)), net.peer("b", pruned(80))), null);
    // Floors 1, 50, 80: block 50 has one honest holder and the liar, so no hash has 2 votes; block 80 has two.
    assertTrue(r.outcome().success(), r.toString());
    assertHonestFrom(80);
    assertTrue(bans.stream().anyMatch(b -> b.peer().equals(liarPeer)), "the liar is banned: " + bans);
  }

  @Test
  void aTrustedCheckpointIsTheBase() throws Exception {
    List<Endpoint> peers = List.of(net.peer("a", pruned(50)), net.peer("b", pruned(50)), net.peer("c", pruned(80)));
    CatchUpResult r = join(peers, new TrustedCheckpoint(120, hash(120)));
    assertTrue(r.outcome().success(), r.toString());
    assertHonestFrom(120);
  }

  @Test
  void aCheckpointWhoseHashThePeersDoNotConfirmIsRefusedAndNothingIsStored() throws Exception {
    List<Endpoint> peers = List.of(net.peer("a", pruned(50)), net.peer("b", pruned(50)), net.peer("c", pruned(80)));
    CatchUpResult r = join(peers, new TrustedCheckpoint(120, new byte[32]));
    assertEquals(CatchUpResult.Outcome.UNCONFIRMED, r.outcome());
    assertTrue(r.message().startsWith("catch_up.trusted_checkpoint refused: block 120 has hash "), r.message());
    assertTrue(r.message().contains("not the checkpoint's 0000000000000000"), r.message());
    assertEquals(0, localState.lastBlock, "nothing stored");
    assertTrue(bans.isEmpty(), "honest peers are not banned for the operator's mistake: " + bans);
  }
}
