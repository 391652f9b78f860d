package io.peerlink.discovery.core.testing;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A master's state in memory for the client/responder tests: a chain of blocks 1..n, and a record of mutating calls. */
public class RecordingMasterState implements MasterState {
  public volatile long epoch = 3;
  public volatile long epochStart = 1_700_000_000_000L;
  public final List<BlockData> chain = new CopyOnWriteArrayList<>();
  public final List<String> mutations = new CopyOnWriteArrayList<>();
  public volatile Exception failWith;

  public static BlockData block(long n) {
    return block(n, new byte[] {1});
  }

  /** Block {@code n} carrying {@code rawBlock} as its payload. */
  public static BlockData block(long n, byte[] rawBlock) {
    byte[] hash = new byte[32];
    hash[0] = (byte) n;
    hash[31] = (byte) (n >> 8);
    byte[] parent = new byte[32];
    parent[0] = (byte) (n - 1);
    parent[31] = (byte) ((n - 1) >> 8);
    return new BlockData(n, hash, 3, 1_700_000_000_000L + n, parent, rawBlock, null, null, 21_000, 30_000_000, null);
  }

  public RecordingMasterState withBlocks(int n) {
    for (int i = 1; i <= n; i++) {
      chain.add(block(i));
    }
    return this;
  }

  /** Blocks 1..n of {@code rawBytes} payload bytes each. */
  public RecordingMasterState withBlocks(int n, int rawBytes) {
    for (int i = 1; i <= n; i++) {
      chain.add(block(i, new byte[rawBytes]));
    }
    return this;
  }

  private void maybeFail() throws Exception {
    Exception e = failWith;
    if (e != null) {
      throw e;
    }
  }

  @Override
  public long currentEpoch() {
    return epoch;
  }

  @Override
  public long lastBlockNumber() {
    return chain.isEmpty() ? 0 : chain.get(chain.size() - 1).blockNumber();
  }

  @Override
  public long epochStartTimestampMs() {
    return epochStart;
  }

  @Override
  public List<BlockData> blocksRange(long fromBlock, long toBlock) throws Exception {
    maybeFail();
    List<BlockData> out = new ArrayList<>();
    for (BlockData b : chain) {
      if (b.blockNumber() >= fromBlock && b.blockNumber() <= toBlock) {
        out.add(b);
      }
    }
    return out;
  }

  @Override
  public AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) throws Exception {
    maybeFail();
    mutations.add("advance_epoch " + newEpoch);
    epoch = newEpoch;
    epochStart = epochStartTimestampMs;
    return new AdvanceEpochResult(newEpoch, epochStartTimestampMs);
  }

  @Override
  public SyncBlocksResult syncBlocks(List<BlockData> blocks) throws Exception {
    maybeFail();
    mutations.add("sync_blocks " + blocks.size());
    chain.addAll(blocks);
    return new SyncBlocksResult(blocks.size(), lastBlockNumber(), "");
  }
}
