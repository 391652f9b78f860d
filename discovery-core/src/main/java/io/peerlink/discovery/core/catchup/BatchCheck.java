package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.EpochAgreement;
import io.peerlink.discovery.core.protocol.BlockData;
import java.util.Arrays;
import java.util.List;

/**
 * The checks a fetched batch passes before any block of it reaches a {@link BlockSink}. Field
 * level only: a block's hash is taken as its peer reports it (the master that made it defines how
 * it is computed), so what binds a batch to the honest chain is its parent links from the local tip
 * and the hash of its last block, which {@link CatchUpRun} compares with one f+1 peers confirmed;
 * its epochs are bound by the round's agreed epoch ({@link EpochAgreement}).
 */
final class BatchCheck {

  private BatchCheck() {
  }

  /**
   * Why a batch cannot be trusted, or null when it can: not empty; numbered consecutively from
   * {@code from} and never past {@code to}; every block with a whole (32-byte) {@code block_hash};
   * every block after block 1 with a {@code parent_hash} equal to the previous block's hash, the
   * first one's to {@code previousHash}. A batch may end before {@code to}.
   *
   * @param previousHash the hash of block {@code from - 1}; may be null only when {@code from} is 1
   */
  static String verify(List<BlockData> blocks, long from, long to, byte[] previousHash) {
    if (blocks == null || blocks.isEmpty()) {
      return "empty batch";
    }
    long expected = from;
    byte[] previous = previousHash;
    for (BlockData b : blocks) {
      if (Long.compareUnsigned(expected, to) > 0) {
        return "more blocks than asked for: block " + Long.toUnsignedString(b.blockNumber()) + " after "
            + Long.toUnsignedString(to);
      }
      String problem = verifyBlock(b, expected, previous);
      if (problem != null) {
        return problem;
      }
      previous = b.blockHash();
      expected++;
    }
    return null;
  }

  /**
   * {@link #verify(List, long, long, byte[])}, then the batch's epochs against the round the run
   * acts on ({@link EpochAgreement#blockEpochProblem}): a block's epoch never below the one before
   * it nor above the epoch f+1 peers report, so a batch never carries one peer's epoch to the
   * master (which could not take it back).
   */
  static String verify(List<BlockData> blocks, long from, long to, byte[] previousHash, DiscoveryResult round) {
    String problem = verify(blocks, from, to, previousHash);
    return problem != null ? problem : EpochAgreement.blockEpochProblem(blocks, round);
  }

  /** Why a Go master may skip a block it was handed, or "": it stores blocks from field 12 only. */
  static String rawBytesHint(BlockData block) {
    return block.hasRawBlockBytes() ? "" : "; block " + Long.toUnsignedString(block.blockNumber())
        + " has no raw_block_bytes (field 12), which a Go master needs to store it";
  }

  /** Why one block cannot stand at {@code expected} after a block of hash {@code previous}, or null. */
  private static String verifyBlock(BlockData b, long expected, byte[] previous) {
    String at = "block " + Long.toUnsignedString(expected);
    if (b.blockNumber() != expected) {
      return "block " + Long.toUnsignedString(b.blockNumber()) + " where " + at + " was expected";
    }
    int size = b.encodedSize();
    if (size > BlockSink.SYNC_REQUEST_BYTES) {
      return at + " is " + size + " bytes, more than one sync_blocks request may carry ("
          + BlockSink.SYNC_REQUEST_BYTES + "): no master could take it";
    }
    if (!Hashes.whole(b.blockHash())) {
      return at + " has a block_hash of " + b.blockHash().length + " bytes; " + Hashes.LENGTH + " expected";
    }
    if (expected == 1) {
      return null; // block 1 has no parent in the chain to compare with
    }
    if (previous == null) {
      return at + " cannot be checked: the hash of block " + Long.toUnsignedString(expected - 1) + " is unknown";
    }
    byte[] parent = b.parentHash();
    if (!Hashes.whole(parent)) {
      return at + " has a parent_hash of " + parent.length + " bytes; " + Hashes.LENGTH + " expected";
    }
    if (!Arrays.equals(parent, previous)) {
      return at + " has parent_hash " + Hashes.hex(parent) + " but block " + Long.toUnsignedString(expected - 1)
          + " has block_hash " + Hashes.hex(previous);
    }
    return null;
  }
}
