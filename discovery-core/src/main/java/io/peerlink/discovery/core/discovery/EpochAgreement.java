package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The epoch decision: which epoch a node may hand its own master. An epoch moves a master for
 * good ({@code advance_epoch} never goes back), so one peer's claim must never be enough where
 * the policy tolerates liars.
 *
 * <p>The <b>agreed epoch</b> of a round is the highest epoch that at least {@link #voices} answering
 * peers report (each reporting that epoch or a later one): f+1 under {@code quorum}, f being
 * {@link SelectionPolicy#faultTolerance(int) the policy's}, so up to f liars cannot raise it above
 * an honest peer's epoch, and it equals the epoch of the tip the policy chose; under
 * {@code highest} a second peer, as for a block hash ({@link SelectionPolicy#confirmations(int)}),
 * so one peer's claim, which {@link DiscoveryOptions#maxEpochJump()} bounds first, is not enough.
 * The node moves its master only to the agreed
 * epoch, with a start that as many of the peers in that epoch give identically ({@link #agreedStart}),
 * and hands on fetched blocks only when no block's epoch is above the agreed one
 * ({@link #blockEpochProblem}). Stateless.
 */
public final class EpochAgreement {

  private EpochAgreement() {
  }

  /**
   * How many peers must report an epoch, and give its start identically, before the node takes
   * it: {@link SelectionPolicy#confirmations(int)} for the round's configured peers, the count
   * catch-up confirms block hashes with (f+1; under {@code highest} a second peer, or the one peer
   * when only one is configured).
   */
  public static int voices(DiscoveryResult round) {
    return round.policy().confirmations(round.peers().size());
  }

  /**
   * The highest epoch at least {@link #voices} answering peers report, or empty when fewer peers
   * answered.
   */
  public static OptionalLong agreedEpoch(DiscoveryResult round) {
    List<Long> epochs = new ArrayList<>();
    for (PeerOutcome o : round.peers()) {
      o.status().ifPresent(s -> epochs.add(s.epoch()));
    }
    int k = voices(round);
    if (k < 1 || epochs.size() < k) {
      return OptionalLong.empty();
    }
    epochs.sort((a, b) -> Long.compareUnsigned(b, a));
    return OptionalLong.of(epochs.get(k - 1));
  }

  /**
   * Why fetched blocks cannot go to the own master, or null when they can: a block's epoch is
   * below the block before it (epochs never go back along a chain), or above the round's agreed
   * epoch (a peer's blocks must not carry an epoch f+1 peers do not report).
   */
  public static String blockEpochProblem(List<BlockData> blocks, DiscoveryResult round) {
    OptionalLong agreed = agreedEpoch(round);
    if (agreed.isEmpty()) {
      return "no epoch is reported by " + voices(round) + " peers (" + round.policy()
          + "), so the blocks' epochs cannot be checked";
    }
    long ceiling = agreed.getAsLong();
    return epochOrderProblem(blocks, null, ceiling, "epoch " + Long.toUnsignedString(ceiling) + ", the highest "
        + voices(round) + " peer(s) report (" + round.policy() + ")");
  }

  /**
   * The order every chain's epochs keep, for whoever takes blocks (the node from peers, a master
   * from its node): why {@code blocks} break it, or null. A block's epoch is never below the
   * block before it ({@code previous} for the first; null when there is none), nor above
   * {@code ceiling}, which {@code ceilingIs} describes for the message ("above " + it).
   */
  public static String epochOrderProblem(List<BlockData> blocks, BlockData previous, long ceiling, String ceilingIs) {
    BlockData before = previous;
    for (BlockData b : blocks) {
      if (before != null && Long.compareUnsigned(b.epoch(), before.epoch()) < 0) {
        return "block " + Long.toUnsignedString(b.blockNumber()) + " has epoch " + Long.toUnsignedString(b.epoch())
            + ", below block " + Long.toUnsignedString(before.blockNumber()) + "'s epoch "
            + Long.toUnsignedString(before.epoch()) + ": epochs never go back along a chain";
      }
      if (Long.compareUnsigned(b.epoch(), ceiling) > 0) {
        return "block " + Long.toUnsignedString(b.blockNumber()) + " has epoch " + Long.toUnsignedString(b.epoch())
            + ", above " + ceilingIs;
      }
      before = b;
    }
    return null;
  }

  /**
   * Asks every peer that reported {@code epoch} or later, and is not banned since
   * ({@link PeerDiscovery#bans()}), for that epoch's start (request 7 naming the epoch) and
   * completes with the start at least {@link #voices} of them give identically (the most given; on a tie, the one of the peer listed first, the chosen
   * tip's peer ahead of all); empty when no start has that many. Never completes exceptionally:
   * a peer that fails simply gives no start.
   */
  public static CompletableFuture<OptionalLong> agreedStart(PeerDiscovery discovery, DiscoveryResult round,
      long epoch) {
    List<Endpoint> asked = new ArrayList<>();
    round.best().ifPresent(b -> asked.add(b.peer()));
    for (PeerOutcome o : round.peers()) {
      if (o.status().isPresent() && Long.compareUnsigned(o.status().get().epoch(), epoch) >= 0
          && !asked.contains(o.peer())) {
        asked.add(o.peer());
      }
    }
    List<CompletableFuture<Long>> answers = new ArrayList<>(asked.size());
    asked.removeIf(discovery.bans()::isBanned); // caught lying since the round: its start is no vote
    for (Endpoint peer : asked) {
      CompletableFuture<Long> answer;
      try {
        answer = discovery.client(peer).epochStartTimestampMs(epoch);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answers.add(answer.handle((start, error) -> error == null ? start : null));
    }
    return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
      Map<Long, Integer> votes = new LinkedHashMap<>();
      for (CompletableFuture<Long> a : answers) {
        Long start = a.join();
        if (start != null) {
          votes.merge(start, 1, Integer::sum);
        }
      }
      long chosen = 0;
      int most = 0;
      for (Map.Entry<Long, Integer> e : votes.entrySet()) {
        if (e.getValue() > most) {
          chosen = e.getKey();
          most = e.getValue();
        }
      }
      return most >= voices(round) ? OptionalLong.of(chosen) : OptionalLong.empty();
    });
  }
}
