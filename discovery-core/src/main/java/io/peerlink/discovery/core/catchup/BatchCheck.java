package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.ChainVerifier;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.EpochAgreement;
import io.peerlink.discovery.core.protocol.BlockData;
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
   * Why a batch cannot be trusted, or null when it can: not empty; never past {@code to}; each
   * block small enough for one {@code sync_blocks} request; and a chain from block
   * {@code from - 1} ({@link ChainVerifier#WHOLE_HASHES}: numbered consecutively from
   * {@code from}, every block with a whole {@code block_hash}, every block after block 1 with a
   * {@code parent_hash} equal to the previous block's hash, the first one's to
   * {@code previousHash}). A batch may end before {@code to}.
   *
   * @param previousHash the hash of block {@code from - 1}; may be null only when {@code from} is 1
   */
  static String verify(List<BlockData> blocks, long from, long to, byte[] previousHash) {
    if (blocks == null || blocks.isEmpty()) {
      return "empty batch";
    }
    long asked = to - from + 1;
    if (blocks.size() > asked) {
      return "more blocks than asked for: block " + Long.toUnsignedString(blocks.get((int) asked).blockNumber())
          + " after " + Long.toUnsignedString(to);
    }
    String problem = ChainVerifier.WHOLE_HASHES.problem(blocks, from - 1, previousHash);
    if (problem != null) {
      return problem;
    }
    for (BlockData b : blocks) {
      int size = b.encodedSize();
      if (size > BlockSink.SYNC_REQUEST_BYTES) {
        return "block " + Long.toUnsignedString(b.blockNumber()) + " is " + size + " bytes, more than one"
            + " sync_blocks request may carry (" + BlockSink.SYNC_REQUEST_BYTES + "): no master could take it";
      }
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
}
