package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.transport.api.Endpoint;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where the local master's own chain parts from the chain f+1 peers confirm: what a
 * {@link CatchUpResult.Outcome#LOCAL_FORKED} run, or a {@link TipCheck.Outcome#FORKED} check of a
 * node's own tip, found. The chains hold the same block
 * {@code lastCommonBlock} (0 when no block is known to be common) and differ from
 * {@code firstDifferentBlock} on; when the two are adjacent ({@link #forkPointKnown()}) that is
 * the fork point, otherwise the peers could not confirm the blocks in between (they pruned them,
 * or did not agree), so the chains part somewhere after the one and at or before the other.
 * Rolling the local store back to {@code lastCommonBlock} is always safe. Block numbers are
 * unsigned; hashes are 32 bytes, copied in and out. Immutable.
 *
 * @param localBlock the local block the fork was found at: the local tip in a catch-up run, the
 *     block compared in a {@linkplain CatchUp#checkOwnTip check of the own tip}
 * @param localHash the local master's hash of {@code localBlock}
 * @param confirmedHash the hash of {@code localBlock} the peers confirmed
 * @param confirmedBy the peers that returned {@code confirmedHash} (f+1 or more)
 * @param lastCommonBlock the highest block known to be the same on both chains; 0 for none
 * @param lastCommonHash its hash; empty when {@code lastCommonBlock} is 0
 * @param firstDifferentBlock the lowest block known to differ; at most {@code localBlock}
 */
public record ChainFork(long localBlock, byte[] localHash, byte[] confirmedHash, List<Endpoint> confirmedBy,
    long lastCommonBlock, byte[] lastCommonHash, long firstDifferentBlock) {

  /** Copies the hashes and the list; checks that the blocks are in order. */
  public ChainFork {
    localHash = Objects.requireNonNull(localHash, "localHash").clone();
    confirmedHash = Objects.requireNonNull(confirmedHash, "confirmedHash").clone();
    confirmedBy = List.copyOf(confirmedBy);
    lastCommonHash = Objects.requireNonNull(lastCommonHash, "lastCommonHash").clone();
    if (Long.compareUnsigned(lastCommonBlock, firstDifferentBlock) >= 0
        || Long.compareUnsigned(firstDifferentBlock, localBlock) > 0) {
      throw new IllegalArgumentException("a fork needs lastCommonBlock < firstDifferentBlock <= localBlock, not "
          + Long.toUnsignedString(lastCommonBlock) + ", " + Long.toUnsignedString(firstDifferentBlock) + ", "
          + Long.toUnsignedString(localBlock));
    }
  }

  /** A copy of the local hash. */
  @Override
  public byte[] localHash() {
    return localHash.clone();
  }

  /** A copy of the confirmed hash. */
  @Override
  public byte[] confirmedHash() {
    return confirmedHash.clone();
  }

  /** A copy of the last common block's hash; empty when it is 0. */
  @Override
  public byte[] lastCommonHash() {
    return lastCommonHash.clone();
  }

  /** Whether the fork point is exact: block {@code lastCommonBlock + 1} is the first that differs. */
  public boolean forkPointKnown() {
    return lastCommonBlock + 1 == firstDifferentBlock;
  }

  /**
   * Whether {@code other} is the same fork, whichever peers confirmed it: the same local block, the
   * same two hashes of it, the same bounds. What a caller that re-checks compares to say it once.
   */
  public boolean sameFork(ChainFork other) {
    return other != null && localBlock == other.localBlock && Arrays.equals(localHash, other.localHash)
        && Arrays.equals(confirmedHash, other.confirmedHash) && lastCommonBlock == other.lastCommonBlock
        && firstDifferentBlock == other.firstDifferentBlock;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainFork f && sameFork(f) && confirmedBy.equals(f.confirmedBy)
        && Arrays.equals(lastCommonHash, f.lastCommonHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(localBlock, Arrays.hashCode(localHash), Arrays.hashCode(confirmedHash), confirmedBy,
        lastCommonBlock, firstDifferentBlock);
  }

  @Override
  public String toString() {
    return "ChainFork{block " + Long.toUnsignedString(localBlock) + ": local " + Hashes.hex(localHash)
        + ", confirmed " + Hashes.hex(confirmedHash) + " by " + confirmedBy + "; last common block "
        + Long.toUnsignedString(lastCommonBlock) + (lastCommonBlock == 0 ? "" : " (" + Hashes.hex(lastCommonHash) + ")")
        + ", first different block " + Long.toUnsignedString(firstDifferentBlock) + "}";
  }
}
