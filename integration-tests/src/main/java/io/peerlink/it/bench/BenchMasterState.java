package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import java.util.List;

/** A master that stays at one epoch and block: the benchmarks only ask for its status. */
final class BenchMasterState implements MasterState {

  private final long epoch;
  private final long lastBlock;

  BenchMasterState(long epoch, long lastBlock) {
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
    return 1_700_000_000_000L;
  }

  @Override
  public List<BlockData> blocksRange(long fromBlock, long toBlock) {
    return List.of();
  }

  @Override
  public AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) {
    throw new UnsupportedOperationException("benchmark masters do not advance");
  }

  @Override
  public SyncBlocksResult syncBlocks(List<BlockData> blocks) {
    throw new UnsupportedOperationException("benchmark masters do not take blocks");
  }
}
