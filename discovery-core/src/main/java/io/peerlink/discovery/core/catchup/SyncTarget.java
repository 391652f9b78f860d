package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The three calls {@link SyncRequests} makes of the master that takes a batch: over the query
 * socket ({@link MasterClient}), or straight on the {@link MasterState} of a master in the same
 * process, which spares every block an encoding, a socket and a decoding (the master checks
 * the blocks either way). Either fails a {@code sync_blocks} whose answer carries an error.
 */
interface SyncTarget {

  CompletableFuture<Long> currentEpoch();

  CompletableFuture<?> advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock);

  CompletableFuture<SyncBlocksResult> syncBlocks(List<BlockData> blocks);

  static SyncTarget of(MasterClient master) {
    return new SyncTarget() {
      @Override
      public CompletableFuture<Long> currentEpoch() {
        return master.currentEpoch();
      }

      @Override
      public CompletableFuture<?> advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) {
        return master.advanceEpoch(newEpoch, epochStartTimestampMs, boundaryBlock);
      }

      @Override
      public CompletableFuture<SyncBlocksResult> syncBlocks(List<BlockData> blocks) {
        return master.syncBlocks(blocks); // an answer with an error fails as MasterErrorException
      }
    };
  }

  /** @param executor where each {@code sync_blocks} is handed to the state, off catch-up's thread */
  static SyncTarget of(MasterState state, Executor executor) {
    return new SyncTarget() {
      @Override
      public CompletableFuture<Long> currentEpoch() {
        try {
          return CompletableFuture.completedFuture(state.currentEpoch());
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e);
        }
      }

      @Override
      public CompletableFuture<?> advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) {
        try {
          return CompletableFuture.completedFuture(state.advanceEpoch(newEpoch, epochStartTimestampMs, boundaryBlock));
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e);
        }
      }

      @Override
      public CompletableFuture<SyncBlocksResult> syncBlocks(List<BlockData> blocks) {
        // On a thread of its own, as the master's socket reader took it: the master checks and
        // stages the blocks while catch-up's thread checks the next answers. And the next
        // request is never made on the thread that completed this one (the master's writer).
        return CompletableFuture.supplyAsync(() -> state.syncBlocksLater(blocks), executor).thenCompose(later ->
            later != null ? later : CompletableFuture.failedFuture(new IllegalStateException(
                "the master state took sync_blocks with no answer"))).thenApplyAsync(result -> {
          if (result == null) {
            throw new IllegalStateException("the master state answered sync_blocks with null");
          }
          if (!result.error().isEmpty()) {
            throw new IllegalStateException("sync_blocks (synced " + Long.toUnsignedString(result.syncedCount())
                + ", last synced block " + Long.toUnsignedString(result.lastSyncedBlock()) + ") refused: "
                + result.error());
          }
          return result;
        }, executor);
      }
    };
  }
}
