package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.AnswerLimits;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Where {@link CatchUp} puts the blocks it fetched, once each batch has been verified. The
 * embedding application provides it; {@link #syncBlocksTo(MasterClient)} hands the blocks to the
 * local master with {@code sync_blocks}, as the seed does.
 */
@FunctionalInterface
public interface BlockSink {

  /**
   * Applies one verified batch: consecutive block numbers from the local tip on, whole hashes,
   * each parent hash equal to the previous block's hash (the first one's to the local tip's), and
   * the last block's hash one that f+1 peers confirmed.
   *
   * @param blocks the batch, in order; never empty
   * @return completes with the local last block number after applying, or exceptionally when the
   *     batch could not be applied; catch-up stops with
   *     {@link CatchUpResult.Outcome#SINK_FAILED} when it fails or does not advance
   */
  CompletionStage<Long> apply(List<BlockData> blocks);

  /** What the sink is, for messages: e.g. {@code the local master at unix:///tmp/m.sock}. */
  default String name() {
    return "the block sink";
  }

  /**
   * The most encoded block bytes one {@code sync_blocks} request carries: half the frame limit
   * masters accept by default, so a batch a peer may legally send (up to
   * {@link MasterClient#MAX_BLOCKS_RESPONSE_BYTES}) never makes a request the master refuses.
   */
  int SYNC_REQUEST_BYTES = AnswerLimits.MAX_RANGE_RESPONSE_BYTES;

  /**
   * A sink that sends each batch to a master with {@code sync_blocks}, split into requests of at
   * most {@link #SYNC_REQUEST_BYTES} encoded bytes sent one after the other, and takes the last
   * answer's {@code last_synced_block} as the new local tip. A request that appends nothing ends
   * the batch there (catch-up sees the tip stop short). Blocks of an epoch more than one above
   * the master's are preceded by {@code advance_epoch} to it (see {@code SyncRequests}).
   */
  static BlockSink syncBlocksTo(MasterClient localMaster) {
    Objects.requireNonNull(localMaster, "localMaster");
    return sending(SyncTarget.of(localMaster), "the local master at " + localMaster.endpoint());
  }

  /**
   * As {@link #syncBlocksTo(MasterClient)}, straight to the state of a master that runs in this
   * process (a node running both roles): the same requests, epochs and checks, without encoding
   * each block, sending it over the local socket and decoding it again.
   *
   * @param name what the master is, for messages: e.g. {@code the local master (in this process)}
   * @param executor runs each request on the state, as the master's socket reader would: off
   *     catch-up's own thread, which meanwhile checks the next answers
   */
  static BlockSink syncBlocksTo(MasterState localMaster, String name, Executor executor) {
    Objects.requireNonNull(localMaster, "localMaster");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(executor, "executor");
    return sending(SyncTarget.of(localMaster, executor), name);
  }

  private static BlockSink sending(SyncTarget target, String name) {
    return new BlockSink() {
      @Override
      public CompletionStage<Long> apply(List<BlockData> blocks) {
        return SyncRequests.send(target, blocks, SYNC_REQUEST_BYTES);
      }

      @Override
      public String name() {
        return name;
      }
    };
  }
}
