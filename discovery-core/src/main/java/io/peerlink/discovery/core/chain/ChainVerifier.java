package io.peerlink.discovery.core.chain;

import io.peerlink.discovery.core.protocol.BlockData;
import java.util.Arrays;
import java.util.List;

/**
 * The chain-link check: whether blocks run on, one by one, from a block already held. The one
 * implementation both ends of a sync use: catch-up checks each fetched batch with it before any
 * block reaches its sink, and a master checks each {@code sync_blocks} batch with it before
 * anything is written (node-app's {@code ChainState}), so the two can never disagree on what a
 * chain is.
 *
 * <p>The check is on fields as blocks carry them: consecutive {@code block_number}s, and each
 * {@code parent_hash} equal to the {@code block_hash} of the block before. How a hash is computed
 * is the business of the master that made the block; so this binds blocks to their neighbours and
 * to the block they follow, not contents to their hashes.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChainVerifier {

  /**
   * Every block has a whole ({@value Hashes#LENGTH}-byte) {@code block_hash}, and every block
   * after block 1 a whole {@code parent_hash} equal to the block before's: what catch-up applies,
   * where the links are what binds a batch to a hash f+1 peers confirmed. A missing hash is a
   * refusal, never a skipped check.
   */
  public static final ChainVerifier WHOLE_HASHES = new ChainVerifier(true);

  /**
   * Links are compared where both hashes are present: what a master takes by {@code sync_blocks},
   * since masters that leave the hash fields empty exist (the seed's Go master stores its blocks'
   * raw bytes), and a chain's first block has no parent here to compare with.
   */
  public static final ChainVerifier WHERE_PRESENT = new ChainVerifier(false);

  private final boolean wholeHashes;

  private ChainVerifier(boolean wholeHashes) {
    this.wholeHashes = wholeHashes;
  }

  /**
   * Why {@code blocks} cannot follow block {@code previous}, or null when they can: no block null,
   * the first numbered {@code previous + 1} and each next one more, and the hashes as this
   * verifier's rule says. The text names the first block that fails, and both hashes in full when
   * a link is broken (evidence must be comparable by eye and by grep).
   *
   * @param blocks the blocks, in order; empty passes
   * @param previous the number of the block they follow; 0 before block 1
   * @param previousHash that block's {@code block_hash}; null when unknown (under
   *     {@link #WHOLE_HASHES} a block after block 1 then cannot be checked, and is refused)
   */
  public String problem(List<BlockData> blocks, long previous, byte[] previousHash) {
    long expected = previous + 1;
    byte[] before = previousHash;
    for (BlockData block : blocks) {
      String problem = linkProblem(block, expected, before);
      if (problem != null) {
        return problem;
      }
      before = block.blockHash();
      expected++;
    }
    return null;
  }

  /** Why {@code block} cannot stand at {@code expected} after a block of hash {@code before}, or null. */
  private String linkProblem(BlockData block, long expected, byte[] before) {
    String after = Long.toUnsignedString(expected - 1);
    if (block == null) {
      return "block after " + after + " is missing (null)";
    }
    String at = "block " + Long.toUnsignedString(expected);
    if (block.blockNumber() != expected) {
      return "block " + Long.toUnsignedString(block.blockNumber()) + " does not follow block " + after
          + ": expected " + at;
    }
    String partial = wholeHashes ? wholeHashesProblem(block) : null;
    if (partial != null || expected == 1) {
      return partial; // block 1 has no parent in the chain to compare with
    }
    byte[] parent = block.parentHash();
    if (!wholeHashes) {
      boolean comparable = before != null && before.length > 0 && parent.length > 0;
      return comparable && !Arrays.equals(parent, before) ? brokenLink(at, parent, after, before) : null;
    }
    if (before == null) {
      return at + " cannot be checked: the hash of block " + after + " is unknown";
    }
    return Arrays.equals(parent, before) ? null : brokenLink(at, parent, after, before);
  }

  /**
   * Why a block's own hashes are not whole, or null: its {@code block_hash}, and after block 1 its
   * {@code parent_hash}, must each be {@value Hashes#LENGTH} bytes. Catch-up asks this of every
   * block a peer answers, one block alone (a vote on a hash) or a batch ({@link #WHOLE_HASHES}).
   */
  public static String wholeHashesProblem(BlockData block) {
    String at = "block " + Long.toUnsignedString(block.blockNumber());
    if (!Hashes.whole(block.blockHash())) {
      return at + " has a block_hash of " + block.blockHash().length + " bytes; " + Hashes.LENGTH + " expected";
    }
    if (block.blockNumber() != 1 && !Hashes.whole(block.parentHash())) {
      return at + " has a parent_hash of " + block.parentHash().length + " bytes; " + Hashes.LENGTH + " expected";
    }
    return null;
  }

  private static String brokenLink(String at, byte[] parent, String after, byte[] before) {
    return at + " has parent_hash " + Hashes.hex(parent) + " but block " + after + " has block_hash "
        + Hashes.hex(before);
  }
}
