package io.peerlink.node.master;

import io.peerlink.discovery.core.chain.ChainVerifier;
import io.peerlink.discovery.core.discovery.EpochAgreement;
import io.peerlink.discovery.core.protocol.BlockData;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The checks of a {@code sync_blocks} batch before anything is written: all pass, or nothing is appended. */
final class SyncBatch {

  /** Our stored block of a number. */
  @FunctionalInterface
  interface Lookup {
    BlockData block(long number) throws IOException;
  }

  private SyncBatch() {
  }

  /**
   * Checks blocks at or below the last block against ours: an error text on a mismatch, else
   * null. Blocks below {@code firstRetained} were pruned here: nothing to compare.
   */
  static String overlapConflict(List<BlockData> overlap, long firstRetained, Lookup ours) throws IOException {
    for (BlockData theirs : overlap) {
      long number = theirs.blockNumber();
      if (number == 0) {
        return "block 0 does not exist (numbering starts at 1)";
      }
      if (number < firstRetained) {
        continue;
      }
      BlockData mine = ours.block(number);
      if (!Arrays.equals(mine.blockHash(), theirs.blockHash())) {
        return "block " + Long.toUnsignedString(number) + " conflicts with this master's block "
            + Long.toUnsignedString(number) + ": block_hash " + BlockHashes.shortHex(theirs.blockHash())
            + " differs from " + BlockHashes.shortHex(mine.blockHash());
      }
    }
    return null;
  }

  /**
   * Checks that {@code fresh} runs on from block {@code last} (hash {@code lastHash}) as a chain,
   * with discovery-core's {@link ChainVerifier#WHERE_PRESENT} (the check catch-up makes too, with
   * links compared where both hashes are present), and adds each block's bytes, exactly as they
   * came, to {@code out}: an error text naming the first block that does not, else null.
   */
  static String verifyChain(List<BlockData> fresh, long last, byte[] lastHash, List<StoredBlock> out) {
    // An empty chain has no parent to check.
    String broken = ChainVerifier.WHERE_PRESENT.problem(fresh, last, last == 0 ? null : lastHash);
    if (broken != null) {
      return broken;
    }
    long number = last;
    for (BlockData block : fresh) {
      out.add(StoredBlock.of(++number, block)); // its bytes go into the record as they came, copied once there
    }
    return null;
  }

  /**
   * Every check of the blocks after this master's last block ({@code lastBlock}, null on an empty
   * chain; {@code head} the chain before them), in order: the chain links
   * ({@link #verifyChain}, which also adds each block's bytes to {@code out}), the epochs
   * ({@link #epochProblem}), and the start of an epoch they enter ({@link EpochRules}). The first
   * problem's text, or null.
   */
  static String check(List<BlockData> fresh, BlockData lastBlock, ChainHead head, long nowMs, Duration maxSkew,
      List<StoredBlock> out) {
    String broken = verifyChain(fresh, head.lastBlock(), head.lastHash(), out);
    if (broken == null) {
      broken = epochProblem(fresh, lastBlock, head.mark().epoch());
    }
    EpochMark mark = broken == null ? markAfter(head.mark(), fresh, nowMs) : head.mark();
    if (!mark.equals(head.mark())) {
      String late = EpochRules.startProblem(mark.epoch(), mark.epochStartMs(), head.mark().epochStartMs(), nowMs, maxSkew);
      broken = late == null ? null : "block " + Long.toUnsignedString(mark.boundaryBlock() + 1) + " enters " + late;
    }
    return broken;
  }

  /**
   * Why the blocks' epochs cannot be taken, or null when they can. PROTOCOL.md gives a block the
   * epoch of the commit that made it, and moves a master's epoch by {@code advance_epoch} (8) or
   * by its own node's commits, one epoch after the other; {@code sync_blocks} (22) carries
   * peers' blocks, which this master cannot check on its own. So, in order:
   * <ul>
   *   <li>a block's epoch is never below the block before it ({@code previous}, this master's
   *       last block, for the first; none on an empty chain): epochs never go back along a
   *       chain;</li>
   *   <li>a block's epoch is at most the master's current epoch + 1: blocks of the epoch the
   *       master is in (or older ones), or of the next epoch, which this request then advances
   *       to. An epoch further ahead must first be given by {@code advance_epoch}, which the
   *       node sends only for an epoch f+1 peers report. One request thus moves the epoch by one
   *       at most, and a forged 2^64-1 never gets in by sync.</li>
   * </ul>
   */
  static String epochProblem(List<BlockData> fresh, BlockData previous, long currentEpoch) {
    long ceiling = currentEpoch == -1L ? currentEpoch : currentEpoch + 1;
    return EpochAgreement.epochOrderProblem(fresh, previous, ceiling, "the epoch this master may accept: its current"
        + " epoch " + Long.toUnsignedString(currentEpoch) + " or the next, " + Long.toUnsignedString(ceiling)
        + "; a later epoch needs advance_epoch first");
  }

  /** The epoch after synced blocks: the highest block's, when higher, starting at its first block. */
  static EpochMark markAfter(EpochMark current, List<BlockData> fresh, long nowMs) {
    long epoch = fresh.get(fresh.size() - 1).epoch();
    if (Long.compareUnsigned(epoch, current.epoch()) <= 0) {
      return current;
    }
    for (BlockData block : fresh) {
      if (block.epoch() == epoch) {
        long start = block.timestampMs() != 0 ? block.timestampMs() : nowMs;
        return new EpochMark(epoch, start, block.blockNumber() - 1);
      }
    }
    throw new AssertionError("the last block has the epoch searched for");
  }
}
