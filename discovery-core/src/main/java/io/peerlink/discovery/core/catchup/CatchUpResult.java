package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link CatchUp#run()} did. Block numbers are unsigned.
 *
 * @param outcome how it ended
 * @param message the same, in words, for logs and operators
 * @param startBlock the local last block when it started
 * @param localBlock the local last block when it ended
 * @param targetBlock the network tip it last aimed at
 * @param blocksApplied how many blocks the sink took
 * @param failedPeers peers that failed to serve blocks (unreachable, broken or empty batch), with
 *     the reason, in the order they failed
 * @param lastStatus the last sync status seen (after a stall: the one from the re-run discovery)
 * @param elapsed how long it took
 * @param fork where the local chain parts from the confirmed one; present exactly when the outcome
 *     is {@link Outcome#LOCAL_FORKED}
 */
public record CatchUpResult(Outcome outcome, String message, long startBlock, long localBlock, long targetBlock,
    long blocksApplied, Map<Endpoint, String> failedPeers, SyncStatus lastStatus, Duration elapsed,
    Optional<ChainFork> fork) {

  /** How a catch-up ended. */
  public enum Outcome {
    /** Nothing to do: the node was within the gap threshold (or ahead) from the start. */
    UP_TO_DATE(true),
    /** Blocks were applied and the node is now within the gap threshold. */
    CAUGHT_UP(true),
    /** Behind by epoch, but no block is missing; moving the epoch is the application's call. */
    NOTHING_TO_FETCH(true),
    /** No network tip to aim at: isolated, or fewer peers answered than minimumPeers requires. */
    NO_PEERS(false),
    /** Every peer that claimed the missing blocks failed to serve them. */
    PEERS_EXHAUSTED(false),
    /** Nothing was applied for the no-progress timeout; discovery was run again. */
    STALLED(false),
    /** The block sink failed or took nothing. */
    SINK_FAILED(false),
    /**
     * No block past the local tip has a hash enough peers agree on (f+1, or a second peer under
     * highest): nothing unconfirmed was fetched.
     */
    UNCONFIRMED(false),
    /** The local master did not answer (or gave no hash of its last block), so where to start is unknown. */
    LOCAL_UNKNOWN(false),
    /**
     * The local master's own chain forks from the one f+1 peers confirm: its last block has another
     * hash than the one they return for it, so no honest peer's blocks can chain from it (and none
     * was blamed for that). Nothing was applied; {@link CatchUpResult#fork()} says where the chains
     * part. Catch-up cannot repair it: the operator rolls the local store back to the last common
     * block, or moves it aside and resyncs. A run that finds this again ends the same way.
     */
    LOCAL_FORKED(false);

    private final boolean success;

    Outcome(boolean success) {
      this.success = success;
    }

    /** Whether the node ended where it should be (no blocks missing beyond the threshold). */
    public boolean success() {
      return success;
    }
  }

  /** Checks for nulls, that a fork comes with LOCAL_FORKED only, and copies the map. */
  public CatchUpResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(lastStatus, "lastStatus");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(fork, "fork");
    if (fork.isPresent() != (outcome == Outcome.LOCAL_FORKED)) {
      throw new IllegalArgumentException("a fork is given exactly with LOCAL_FORKED, not with " + outcome);
    }
    failedPeers = Collections.unmodifiableMap(new LinkedHashMap<>(failedPeers));
  }

  @Override
  public String toString() {
    return "CatchUpResult{" + outcome + ": " + message + ", blocks " + Long.toUnsignedString(startBlock) + " -> "
        + Long.toUnsignedString(localBlock) + " (target " + Long.toUnsignedString(targetBlock) + ", applied "
        + blocksApplied + "), failed peers " + failedPeers + ", " + elapsed.toMillis() + " ms}";
  }
}
