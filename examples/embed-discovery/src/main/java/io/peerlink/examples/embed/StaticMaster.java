package io.peerlink.examples.embed;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small master this example serves itself: a fixed epoch and last block, and a chain every such
 * master shares (block n's hash is SHA-256 of "block n", its parent hash block n-1's), so peers
 * that hold the same blocks agree on their hashes as honest masters do. It takes no writes.
 */
public final class StaticMaster implements MasterState {

  private static final long EPOCH_START_MS = 1_700_000_000_000L;

  private final long epoch;
  private final long lastBlock;

  public StaticMaster(long epoch, long lastBlock) {
    this.epoch = epoch;
    this.lastBlock = lastBlock;
  }

  @Override
  public long currentEpoch() {
    return epoch;
  }

  @Override
  public long lastBlockNumber() {
    return lastBlock;
  }

  @Override
  public long epochStartTimestampMs() {
    return EPOCH_START_MS;
  }

  @Override
  public List<BlockData> blocksRange(long fromBlock, long toBlock) {
    List<BlockData> out = new ArrayList<>();
    for (long n = Math.max(1, fromBlock); n <= Math.min(toBlock, lastBlock); n++) {
      out.add(new BlockData(n, hash(n), epoch, EPOCH_START_MS + n, hash(n - 1), new byte[32], new byte[32],
          new byte[32], 21_000, 30_000_000, null));
    }
    return out;
  }

  @Override
  public AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) {
    throw new UnsupportedOperationException("advance_epoch: this example's masters take no writes");
  }

  @Override
  public SyncBlocksResult syncBlocks(List<BlockData> blocks) {
    throw new UnsupportedOperationException("sync_blocks: this example's masters take no writes");
  }

  private static byte[] hash(long n) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(("block " + n).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
