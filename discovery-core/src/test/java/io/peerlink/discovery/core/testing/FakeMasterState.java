package io.peerlink.discovery.core.testing;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A master's state for tests: an epoch, a last block, and the one honest chain every fake master
 * shares (block n's hash is SHA-256 of "block n", its parent hash block n-1's). How ranges are
 * served can be replaced to play a broken peer.
 */
public final class FakeMasterState implements MasterState {

  /** Serves a range already capped at the last block. */
  @FunctionalInterface
  public interface RangeServer {
    List<BlockData> serve(long from, long to) throws Exception;
  }

  public volatile long epoch;
  public volatile long lastBlock;
  public volatile RangeServer ranges = FakeMasterState::honestRange;
  public volatile String failStatusWith; // non-null: status calls throw, so the responder answers `error`
  public final AtomicInteger rangeCalls = new AtomicInteger();
  public final List<BlockData> synced = new ArrayList<>(); // guarded by this

  public FakeMasterState(long epoch, long lastBlock) {
    this.epoch = epoch;
    this.lastBlock = lastBlock;
  }

  public static byte[] hash(long n) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(("block " + n).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  public static BlockData block(long n) {
    return new BlockData(n, hash(n), 1, 1_700_000_000_000L + n, hash(n - 1), new byte[] {1}, new byte[] {2},
        new byte[] {3}, 21_000, 30_000_000, null);
  }

  public static List<BlockData> honestRange(long from, long to) {
    List<BlockData> out = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      out.add(block(n));
    }
    return out;
  }

  @Override
  public long currentEpoch() {
    check();
    return epoch;
  }

  @Override
  public long lastBlockNumber() {
    check();
    return lastBlock;
  }

  private void check() {
    String f = failStatusWith;
    if (f != null) {
      throw new IllegalStateException(f);
    }
  }

  @Override
  public long epochStartTimestampMs() {
    return 1_700_000_000_000L;
  }

  @Override
  public List<BlockData> blocksRange(long fromBlock, long toBlock) throws Exception {
    rangeCalls.incrementAndGet();
    long to = Math.min(toBlock, lastBlock);
    if (fromBlock > to) {
      return List.of();
    }
    return ranges.serve(fromBlock, to);
  }

  @Override
  public AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) {
    epoch = newEpoch;
    return new AdvanceEpochResult(newEpoch, epochStartTimestampMs);
  }

  @Override
  public synchronized SyncBlocksResult syncBlocks(List<BlockData> blocks) {
    long applied = 0;
    for (BlockData b : blocks) {
      boolean base = lastBlock == 0 && applied == 0; // an empty master takes a base block (node-app ChainBase)
      if (b.blockNumber() != lastBlock + 1 && !base) {
        return new SyncBlocksResult(applied, lastBlock, "block " + b.blockNumber() + " does not follow " + lastBlock);
      }
      synced.add(b);
      lastBlock = b.blockNumber();
      applied++;
    }
    return new SyncBlocksResult(applied, lastBlock, "");
  }
}
