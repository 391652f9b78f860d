package io.peerlink.discovery.core.catchup;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link CatchUp#checkOwnTip} found: whether the local master's own chain is the one f+1
 * peers confirm, compared at the highest block the local master holds that f+1 peers hold too.
 * Block numbers are unsigned. Immutable.
 *
 * @param outcome how the check ended
 * @param block the block compared (the local master's, by number); 0 when none was
 * @param message what was found, in words, for logs and operators (for a fork: where the chains
 *     part and what the operator does)
 * @param fork where the own chain parts from the confirmed one; present exactly when the outcome
 *     is {@link Outcome#FORKED}
 */
public record TipCheck(Outcome outcome, long block, String message, Optional<ChainFork> fork) {

  /** How a check of the own tip ended. */
  public enum Outcome {
    /** f+1 peers confirm the local master's own hash (and parent) of the block compared. */
    CONFIRMED,
    /**
     * f+1 peers confirm another hash of a block the local master holds: its own chain forks from
     * the network's ({@link TipCheck#fork()} says where).
     */
    FORKED,
    /**
     * Nothing could be compared: too few peers hold a block the local master holds, they pruned
     * it, did not agree on it or did not answer, or the local master did not give its own block.
     * This is not a fork: a node is never judged forked without f+1 peers confirming another hash.
     */
    INCONCLUSIVE
  }

  /** Checks for nulls and that a fork comes with FORKED only. */
  public TipCheck {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fork, "fork");
    if (fork.isPresent() != (outcome == Outcome.FORKED)) {
      throw new IllegalArgumentException("a fork is given exactly with FORKED, not with " + outcome);
    }
  }
}
