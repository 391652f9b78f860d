package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.TransactionExe;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Test commits: one block of the given epoch holding one transaction derived from the index; and
 * blocks as a peer would send them in sync_blocks.
 */
final class Commits {
  private Commits() {}

  static CommittedEpochData commit(long index, long epoch) {
    byte[] digest = ByteBuffer.allocate(32).putLong(index).putLong(epoch).array();
    CommittedBlock block = new CommittedBlock(epoch, index, List.of(new TransactionExe(digest, (int) (index % 4))));
    return new CommittedEpochData(List.of(block), index, (int) index);
  }

  /** Block {@code n} of {@code epoch} as a peer sends it: its hash derived from both, chained on {@code parent}. */
  static BlockData syncedBlock(long n, long epoch, long timeMs, byte[] parent) {
    byte[] hash = ByteBuffer.allocate(32).putLong(n).putLong(epoch).array();
    return new BlockData(n, hash, epoch, timeMs, parent, null, null, null, 0, 0, null);
  }
}
