package io.peerlink.discovery.core;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A batch of blocks as {@code sync_blocks} requests that each fit a master's frame limit. */
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
      long size = (long) block.encode().length + PER_BLOCK_OVERHEAD;
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

  /** Sends the requests in order; completes with the last block after the last one that appended. */
  static CompletableFuture<Long> send(MasterClient master, List<List<BlockData>> requests) {
    CompletableFuture<SyncBlocksResult> chain = master.syncBlocks(requests.get(0));
    for (List<BlockData> next : requests.subList(1, requests.size())) {
      chain = chain.thenCompose(previous -> !previous.error().isEmpty()
          ? CompletableFuture.completedFuture(previous) // refused: the rest cannot follow it
          : master.syncBlocks(next));
    }
    return chain.thenApply(SyncBlocksResult::lastSyncedBlock);
  }
}
