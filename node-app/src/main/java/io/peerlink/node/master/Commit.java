package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ExecutableBlock;

/**
 * One message of the block channel as the chain applies it, whichever generation sent it: its
 * {@code global_exec_index} (the block number), its epoch and consensus timestamp when it carries
 * them, and the bytes its block hash covers.
 *
 * @param globalExecIndex the block number it becomes
 * @param epoch the commit's epoch; meaningful only when {@code hasEpoch}
 * @param hasEpoch whether the commit names its epoch (field 4, or an epoch among its blocks)
 * @param timestampMs the consensus timestamp ({@code commit_timestamp_ms}); 0 when not sent
 * @param content the message's bytes, which the block hash covers
 */
public record Commit(long globalExecIndex, long epoch, boolean hasEpoch, long timestampMs, byte[] content) {

  /**
   * A G1/G2 commit. Its epoch is field 4; a commit without it (an older node) takes the highest
   * epoch among its blocks, or none when it has no blocks.
   */
  public static Commit of(CommittedEpochData commit) {
    long epoch = commit.epoch();
    boolean hasEpoch = epoch != 0;
    if (!hasEpoch) {
      for (CommittedBlock block : commit.blocks()) {
        if (!hasEpoch || Long.compareUnsigned(block.epoch(), epoch) > 0) {
          epoch = block.epoch();
          hasEpoch = true;
        }
      }
    }
    return new Commit(commit.globalExecIndex(), epoch, hasEpoch, commit.commitTimestampMs(), commit.encode());
  }

  /** A G3 block: numbered by its {@code global_exec_index}, like a commit (field 8 is G3's own numbering). */
  public static Commit of(ExecutableBlock block) {
    return new Commit(block.globalExecIndex(), block.epoch(), block.epoch() != 0, block.commitTimestampMs(),
        block.encode());
  }
}
