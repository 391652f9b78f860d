package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.Response.SetConsensusStartBlockResult;
import io.peerlink.discovery.core.protocol.Response.SetSyncStartBlockResult;
import java.lang.System.Logger.Level;

/**
 * Requests 10 and 11: the node switching between syncing blocks from peers and producing them by
 * consensus. This master takes blocks from both paths at any time (in number order), so the
 * hand-off changes nothing it does; it records the last switch (for the status line and the log)
 * and answers as PROTOCOL.md says: {@code last_sync_block} = {@code block_number - 1},
 * {@code sync_start_block} = {@code last_consensus_block + 1}.
 */
final class ConsensusHandOff {
  private static final System.Logger LOG = System.getLogger(ConsensusHandOff.class.getName());

  private volatile String last = "none";

  SetConsensusStartBlockResult consensusFrom(long blockNumber, long lastBlock) {
    if (blockNumber == 0) {
      return new SetConsensusStartBlockResult(false, lastBlock,
          "set_consensus_start_block: block_number 0 is not a block (numbering starts at 1)");
    }
    String gap = Long.compareUnsigned(blockNumber - 1, lastBlock) > 0 ? "; blocks " + u(lastBlock + 1) + ".."
        + u(blockNumber - 1) + " must still come by sync_blocks" : "";
    String message = "consensus produces blocks from " + u(blockNumber) + "; this master holds blocks up to "
        + u(lastBlock) + gap;
    record("set_consensus_start_block: " + message);
    return new SetConsensusStartBlockResult(true, blockNumber - 1, message);
  }

  SetSyncStartBlockResult syncAfter(long lastConsensusBlock, long lastBlock) {
    if (lastConsensusBlock == -1L) {
      return new SetSyncStartBlockResult(false, lastBlock,
          "set_sync_start_block: last_consensus_block 2^64-1 leaves no block to sync from");
    }
    String message = "consensus ended at block " + u(lastConsensusBlock) + "; sync resumes from block "
        + u(lastConsensusBlock + 1) + " (this master holds blocks up to " + u(lastBlock) + ")";
    record("set_sync_start_block: " + message);
    return new SetSyncStartBlockResult(true, lastConsensusBlock + 1, message);
  }

  /** The last switch, for the status line. */
  String last() {
    return last;
  }

  private void record(String message) {
    last = message;
    LOG.log(Level.INFO, message);
  }

  private static String u(long v) {
    return Long.toUnsignedString(v);
  }
}
