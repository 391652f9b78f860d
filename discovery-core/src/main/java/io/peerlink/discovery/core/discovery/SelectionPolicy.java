package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.discovery.core.client.MasterStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the network tip is chosen from the peers' answers. Answers are ordered by epoch, then by
 * last block, both unsigned; ties keep the configuration order (the first listed peer wins, as in
 * the seed).
 *
 * <ul>
 *   <li>{@link #highest()}: the highest answer, the seed's rule and the default. One peer that
 *       lies moves the tip; {@link PeerDiscovery} refuses an epoch claim more than
 *       {@link DiscoveryOptions#maxEpochJump()} above the local epoch before this policy sees it,
 *       and what the tip moves (blocks, the epoch and its start) still needs a second peer
 *       ({@link #confirmations(int)}: {@link CatchUp}, {@link EpochAgreement}).</li>
 *   <li>{@link #quorum()}: the highest (epoch, block) that at least f+1 answering peers have
 *       reached, i.e. the (f+1)-th highest answer; up to f liars cannot move it above what an
 *       honest peer reported. f defaults to (n-1)/3 where n counts the configured peers and the
 *       node itself (3 peers: n = 4, f = 1); a known committee size gives it instead
 *       ({@link #faultToleranceOf(int)}). With fewer than f+1 answers there is no tip.</li>
 * </ul>
 * Immutable.
 */
public final class SelectionPolicy {

  /**
   * How claims compare: epoch, then last block, both unsigned; higher is better. Discovery picks
   * the tip by it, and catch-up orders its candidates by it.
   */
  public static final Comparator<MasterStatus> ORDER = (a, b) -> {
    int c = Long.compareUnsigned(a.epoch(), b.epoch());
    return c != 0 ? c : Long.compareUnsigned(a.lastBlockNumber(), b.lastBlockNumber());
  };

  private static final SelectionPolicy HIGHEST = new SelectionPolicy(false, -1);
  private static final SelectionPolicy QUORUM = new SelectionPolicy(true, -1);

  private final boolean quorum;
  private final int f; // -1: derived from the number of configured peers

  private SelectionPolicy(boolean quorum, int f) {
    this.quorum = quorum;
    this.f = f;
  }

  /** The seed's rule: the highest answer. */
  public static SelectionPolicy highest() {
    return HIGHEST;
  }

  /** Quorum with f = (n-1)/3, n = the configured peers plus the node itself. */
  public static SelectionPolicy quorum() {
    return QUORUM;
  }

  /**
   * Quorum with a fixed f.
   *
   * @param f how many peers may lie; 0 or more
   */
  public static SelectionPolicy quorum(int f) {
    if (f < 0) {
      throw new IllegalArgumentException("selection policy quorum f must be 0 or more, got " + f);
    }
    return new SelectionPolicy(true, f);
  }

  /**
   * A policy by name, as configuration writes it.
   *
   * @param name {@code highest} or {@code quorum} (any case)
   * @param f for {@code quorum}: the fixed f, or empty for (n-1)/3; must be empty for {@code highest}
   */
  public static SelectionPolicy of(String name, OptionalInt f) {
    String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    switch (n) {
      case "highest":
        if (f.isPresent()) {
          throw new IllegalArgumentException("selection policy 'highest' takes no f, got f=" + f.getAsInt()
              + "; f applies to 'quorum'");
        }
        return HIGHEST;
      case "quorum":
        return f.isPresent() ? quorum(f.getAsInt()) : QUORUM;
      default:
        throw new IllegalArgumentException("selection policy must be 'highest' or 'quorum', got '" + name + "'");
    }
  }

  /** {@code highest} or {@code quorum}. */
  public String name() {
    return quorum ? "quorum" : "highest";
  }

  /** Whether this is the quorum rule. */
  public boolean isQuorum() {
    return quorum;
  }

  /** The configured f of a quorum policy; empty when derived from the peer count, or for highest. */
  public OptionalInt configuredF() {
    return f >= 0 ? OptionalInt.of(f) : OptionalInt.empty();
  }

  /**
   * The f a BFT committee of {@code committeeSize} members tolerates: (n-1)/3. When the committee
   * is known (a committee file), {@code quorum(faultToleranceOf(size))} is the policy to use.
   */
  public static int faultToleranceOf(int committeeSize) {
    return Math.max(0, (committeeSize - 1) / 3);
  }

  /**
   * The f in effect for this many configured peers: 0 for highest; for a derived f, that of a
   * committee of the peers and the node itself.
   */
  public int faultTolerance(int configuredPeers) {
    if (!quorum) {
      return 0;
    }
    return f >= 0 ? f : faultToleranceOf(configuredPeers + 1);
  }

  /** How many answering peers a tip needs: f+1 (1 for highest). */
  public int requiredAnswers(int configuredPeers) {
    return faultTolerance(configuredPeers) + 1;
  }

  /**
   * How many peers must return the same {@code block_hash} for a block before catch-up takes
   * blocks up to it ({@link CatchUp}): f+1 under quorum; under highest 2, a second peer, or 1 when
   * only one peer is configured (there is no second peer to ask; quorum's derived f is 0 there
   * too, so one peer is trusted either way, and the operator chose that deployment).
   */
  public int confirmations(int configuredPeers) {
    if (quorum) {
      return requiredAnswers(configuredPeers);
    }
    return configuredPeers <= 1 ? 1 : 2;
  }

  /**
   * Chooses the peer whose answer is the network tip.
   *
   * @param outcomes the round's outcomes in configuration order; failures are ignored
   * @param configuredPeers n, for the derived f
   * @return the chosen answer, or empty when no peer (or fewer than f+1) answered
   */
  public Optional<PeerOutcome> select(List<PeerOutcome> outcomes, int configuredPeers) {
    List<PeerOutcome> answered = new ArrayList<>();
    for (PeerOutcome o : outcomes) {
      if (o.answered()) {
        answered.add(o);
      }
    }
    int k = requiredAnswers(configuredPeers);
    if (answered.size() < k) {
      return Optional.empty();
    }
    // Stable sort, highest first: among equal answers the configuration order is kept.
    answered.sort((a, b) -> ORDER.compare(b.status().orElseThrow(), a.status().orElseThrow()));
    MasterStatus tip = answered.get(k - 1).status().orElseThrow();
    for (PeerOutcome o : answered) {
      if (ORDER.compare(o.status().orElseThrow(), tip) == 0) {
        return Optional.of(o); // the first listed peer at exactly the tip
      }
    }
    throw new AssertionError("the tip came from the list itself");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SelectionPolicy && ((SelectionPolicy) o).quorum == quorum && ((SelectionPolicy) o).f == f;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(quorum) * 31 + f;
  }

  @Override
  public String toString() {
    return quorum ? (f >= 0 ? "quorum(f=" + f + ")" : "quorum(f=(n-1)/3)") : "highest";
  }
}
