package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.PeerBans;
import io.peerlink.discovery.core.protocol.BlockData;
import java.util.Arrays;
import java.util.List;

/**
 * Where an answer to a batch request contradicts a block hash that f+1 peers confirmed: the
 * evidence a liar is banned with ({@link PeerBans}). Unlike a malformed or broken answer (which
 * {@link BatchCheck} refuses and only fails its peer for the run), a contradiction is something an
 * honest master on the confirmed chain never serves: a block {@code from} whose parent is not the
 * confirmed hash of block {@code from - 1}, or a block at a confirmed height with another hash or
 * parent than the confirmed pair.
 *
 * @param number the block whose confirmed hash is contradicted
 * @param peerHash what the answer says that block's hash is
 * @param confirmedHash the confirmed hash
 * @param what the contradiction in words
 */
record Contradiction(long number, byte[] peerHash, byte[] confirmedHash, String what) {

  /**
   * The first contradiction in {@code blocks}, an answer for blocks {@code first..}, or null.
   * Checks only what the answer says about confirmed blocks, field by field, so it applies to an
   * answer that is otherwise broken, and to one that arrives after its slot was given up.
   *
   * @param before the confirmation of block {@code first - 1}, or null when the batch chains from
   *     something else (the local tip, or the part of the batch another answer brought)
   * @param end the confirmation of the batch's last block
   */
  static Contradiction find(List<BlockData> blocks, long first, HashConfirmation before, HashConfirmation end) {
    if (blocks == null || blocks.isEmpty()) {
      return null;
    }
    BlockData head = blocks.get(0);
    if (before != null && before.confirmed() && head.blockNumber() == first && before.number == first - 1
        && Hashes.whole(head.parentHash()) && !Arrays.equals(head.parentHash(), before.hash)) {
      return new Contradiction(before.number, head.parentHash(), before.hash, "served block "
          + Long.toUnsignedString(first) + " whose parent_hash is another than the hash of block "
          + Long.toUnsignedString(before.number) + " that " + before.agreeing.size() + " peers agree on");
    }
    if (end == null || !end.confirmed()) {
      return null;
    }
    for (BlockData b : blocks) {
      if (b.blockNumber() == end.number && Hashes.whole(b.blockHash()) && !end.matches(b)) {
        return new Contradiction(end.number, b.blockHash(), end.hash,
            "served a batch ending at another block than the confirmed one");
      }
    }
    return null;
  }
}
