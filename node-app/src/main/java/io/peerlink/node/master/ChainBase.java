package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import java.util.List;

/**
 * A chain that starts at a base block instead of block 1: how an empty master joins a network
 * whose peers pruned block 1. Its own node fetches the base block from peers, checks its hash
 * against the operator's {@code catch_up.trusted_checkpoint} (or f+1 peers' agreement), and hands
 * it over with {@code sync_blocks} like any batch; on an EMPTY chain only, this master takes a
 * first block above 1 as the chain's start: it stores it as its first block (the segment header
 * records the base, as after retention, so it survives restart), and every later block must chain
 * to it by number, parent hash and epoch as usual. The base block's own parent is not checked (this
 * master does not hold it), exactly as block 1's is not on an empty chain; the trust is the node's
 * check of the base hash. Blocks below it answer get_blocks_range with the pruned error.
 */
final class ChainBase {
  private ChainBase() {
  }

  /**
   * The head {@code fresh} is checked against: {@code staged} itself, or, when the chain is empty
   * and {@code fresh} starts above block 1, a head just before that block, its epoch the block's
   * own (the base is trusted whole: an epoch it is in cannot be refused as a jump) and that epoch
   * starting at the base block's time, until the node's epoch agreement re-sets it with
   * advance_epoch to the start f+1 peers report.
   */
  static ChainHead before(ChainHead staged, List<BlockData> fresh) {
    BlockData base = fresh.get(0);
    if (staged.lastBlock() != 0 || base == null || base.blockNumber() <= 1) {
      return staged; // also a number above 2^63 (negative): refused as not following, never a base
    }
    EpochMark mark = staged.mark();
    if (Long.compareUnsigned(base.epoch(), mark.epoch()) > 0) {
      mark = new EpochMark(base.epoch(), base.timestampMs(), base.blockNumber() - 1);
    }
    return new ChainHead(base.blockNumber() - 1, base.parentHash(), mark);
  }
}
