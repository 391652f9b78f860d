package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.discovery.EpochAgreement;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A batch of blocks as {@code sync_blocks} requests that each fit a master's frame limit and
 * enter at most one epoch above the master's: a master takes a request's blocks up to its
 * current epoch + 1 (the one the request advances to). Blocks of an epoch further ahead (a master
 * that starts empty at epoch 0 while the network is at 5) are preceded by {@code advance_epoch}
 * to that epoch, starting at its first block's time with the block before it as the boundary,
 * as a master fed those blocks would have derived it. The blocks were checked against the epoch
 * f+1 peers agree on before they got here ({@link EpochAgreement#blockEpochProblem}).
 */
final class SyncRequests {
  /** Field tag and length prefix of one block inside a request: at most this many bytes. */
  private static final int PER_BLOCK_OVERHEAD = 6;

  private SyncRequests() {}

  /** Consecutive runs of {@code blocks} of at most {@code maxBytes} encoded bytes each (one block at least). */
  static List<List<BlockData>> split(List<BlockData> blocks, int maxBytes) {
    List<List<BlockData>> requests = new ArrayList<>();
    List<BlockData> current = new ArrayList<>();
    long bytes = 0;
    for (BlockData block : blocks) {
      long size = (long) block.encodedSize() + PER_BLOCK_OVERHEAD; // not encode(): that copies the block
      if (!current.isEmpty() && bytes + size > maxBytes) {
        requests.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(block);
      bytes += size;
    }
    if (!current.isEmpty()) {
      requests.add(current);
    }
    return requests;
  }

  /**
   * Runs of {@code blocks} split where the epoch rises, so each run holds one epoch; a run more
   * than one epoch above the epoch before it (starting from {@code masterEpoch}) is marked to be
   * preceded by {@code advance_epoch}.
   */
  static List<EpochRun> epochRuns(List<BlockData> blocks, long masterEpoch) {
    List<EpochRun> runs = new ArrayList<>();
    long known = masterEpoch;
    List<BlockData> current = new ArrayList<>();
    for (BlockData block : blocks) {
      long epoch = block.epoch();
      if (!current.isEmpty() && Long.compareUnsigned(epoch, current.get(0).epoch()) > 0) {
        runs.add(new EpochRun(advanceNeeded(current.get(0).epoch(), known), current));
        known = max(known, current.get(0).epoch());
        current = new ArrayList<>();
      }
      current.add(block);
    }
    if (!current.isEmpty()) {
      runs.add(new EpochRun(advanceNeeded(current.get(0).epoch(), known), current));
    }
    return runs;
  }

  private static boolean advanceNeeded(long epoch, long known) {
    return known != -1L && Long.compareUnsigned(epoch, known + 1) > 0;
  }

  private static long max(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }

  /** Blocks of one epoch; {@code advanceFirst}: the master must be moved to it before they go. */
  record EpochRun(boolean advanceFirst, List<BlockData> blocks) {}

  /**
   * Sends a batch: asks the master its epoch, then each epoch run (after {@code advance_epoch}
   * where needed) in requests of at most {@code maxBytes}; completes with the last block after
   * the last request that appended.
   */
  static CompletableFuture<Long> send(MasterClient master, List<BlockData> blocks, int maxBytes) {
    return send(SyncTarget.of(master), blocks, maxBytes);
  }

  /** As {@link #send(MasterClient, List, int)}, to any {@link SyncTarget}. */
  static CompletableFuture<Long> send(SyncTarget master, List<BlockData> blocks, int maxBytes) {
    return master.currentEpoch().thenCompose(epoch -> {
      CompletableFuture<SyncBlocksResult> chain = CompletableFuture.completedFuture(null);
      for (EpochRun run : epochRuns(blocks, epoch)) {
        BlockData first = run.blocks().get(0);
        if (run.advanceFirst()) {
          chain = chain.thenCompose(previous -> refused(previous) ? CompletableFuture.completedFuture(previous)
              : master.advanceEpoch(first.epoch(), first.timestampMs(), first.blockNumber() - 1)
                  .thenApply(advanced -> previous));
        }
        for (List<BlockData> request : split(run.blocks(), maxBytes)) {
          chain = chain.thenCompose(previous -> refused(previous)
              ? CompletableFuture.completedFuture(previous) // refused: the rest cannot follow it
              : master.syncBlocks(request));
        }
      }
      return chain.thenApply(SyncBlocksResult::lastSyncedBlock);
    });
  }

  private static boolean refused(SyncBlocksResult previous) {
    return previous != null && !previous.error().isEmpty();
  }
}
