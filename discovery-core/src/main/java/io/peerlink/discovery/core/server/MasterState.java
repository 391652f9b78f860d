package io.peerlink.discovery.core.server;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.Response.SetConsensusStartBlockResult;
import io.peerlink.discovery.core.protocol.Response.SetSyncStartBlockResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.protocol.Response.ValidatorInfoList;
import java.util.AbstractList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server side: what a master knows. The embedding application implements it; a {@link
 * Responder} answers the query channel from it.
 *
 * <p>Methods are called on a connection's I/O thread, one request at a time per connection but
 * possibly from several connections at once, so implementations are thread-safe. An exception
 * thrown by any method becomes an {@code error} response carrying its message; the connection
 * stays open.
 *
 * <p>The calls beyond the status queries have defaults that refuse them with a message, so a state
 * that keeps no committees (a test double, a status-only server) still answers every request.
 */
public interface MasterState {

  /** The current epoch. */
  long currentEpoch();

  /** The last executed block: the highest contiguous {@code global_exec_index} applied. */
  long lastBlockNumber();

  /** The start of the current epoch, ms since the Unix epoch. */
  long epochStartTimestampMs();

  /**
   * Blocks {@code fromBlock..toBlock}, inclusive, in order. May return fewer than asked (a cap),
   * never blocks that don't exist.
   */
  List<BlockData> blocksRange(long fromBlock, long toBlock) throws Exception;

  /**
   * The blocks of {@link #blocksRange}, each as its encoded {@code BlockData} message (exactly
   * {@link BlockData#encode()} of that block), known by length before their bytes are read: what
   * the {@link Responder} answers {@code get_blocks_range} from. It caps and sizes the answer from
   * the lengths, lays the answer out as a frame with each block it carries put in by
   * {@link EncodedBlocks#addTo}, and closes the result on the calling thread once the frame is
   * built (the frame, sent later, closes what it was handed). A master that stores blocks encoded
   * overrides this to hand out its stored bytes, saving a decode and an encode per block served;
   * one that keeps them in files adds each as a range of its file, which a transport that can
   * sends from the kernel, never through the Java heap (node-app's master does).
   *
   * <p>The default encodes what {@link #blocksRange} returns, each block once, when the
   * responder first needs it.
   */
  default EncodedBlocks encodedBlocks(long fromBlock, long toBlock) throws Exception {
    List<BlockData> blocks = blocksRange(fromBlock, toBlock);
    if (blocks == null) {
      return null; // the responder names the call that returned nothing
    }
    return EncodedBlocks.of(new AbstractList<>() {
      @Override
      public byte[] get(int index) {
        return blocks.get(index).encode();
      }

      @Override
      public int size() {
        return blocks.size();
      }
    });
  }

  /** Moves to a new epoch; a mutating call, served on the local socket only. */
  AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) throws Exception;

  /** Takes blocks fetched from peers; a mutating call, served on the local socket only. */
  SyncBlocksResult syncBlocks(List<BlockData> blocks) throws Exception;

  /**
   * As {@link #syncBlocks}, answered later: the {@link Responder} answers request 10 from this
   * future, so a master that makes writes durable in groups can take the batch, return at once,
   * and complete the future once the batch is durable; batches pipelined on a connection then
   * share an fsync. The answers still go out in request order. The default calls
   * {@link #syncBlocks} and completes at once.
   */
  default CompletableFuture<SyncBlocksResult> syncBlocksLater(List<BlockData> blocks) {
    try {
      return CompletableFuture.completedFuture(syncBlocks(blocks));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Request 7 for {@code epoch}. G1 sends the request empty, which reads as epoch 0 and means the
   * current epoch; G2+ send the epoch. The default knows the current epoch only.
   *
   * @throws Exception naming the epoch when this master does not know it
   */
  default long epochStartTimestampMs(long epoch) throws Exception {
    long current = currentEpoch();
    if (epoch == 0 || epoch == current) {
      return epochStartTimestampMs();
    }
    throw new IllegalArgumentException("get_epoch_start_timestamp: epoch " + Long.toUnsignedString(epoch)
        + " is not known to this master (its current epoch is " + Long.toUnsignedString(current) + ")");
  }

  /** Request 2: a short line about this master ({@code status_message}). */
  default String statusMessage() {
    return "epoch " + Long.toUnsignedString(currentEpoch()) + ", last block " + Long.toUnsignedString(lastBlockNumber());
  }

  /** Request 2: seconds since this master started ({@code uptime_seconds}). */
  default long uptimeSeconds() {
    return 0;
  }

  /**
   * Request 9: the committee of {@code epoch}, as of its boundary block.
   *
   * @throws Exception naming the epoch, or why the committee is not known
   */
  default EpochBoundaryData epochBoundaryData(long epoch) throws Exception {
    throw new UnsupportedOperationException("get_epoch_boundary_data: this master keeps no committees");
  }

  /**
   * Requests 4 and 1: the validators in force at {@code blockNumber} (0 = genesis; the last block
   * of an epoch gives the committee of the epoch it closes into).
   *
   * @throws Exception naming the block, or why the committee is not known
   */
  default ValidatorInfoList validatorsAtBlock(long blockNumber) throws Exception {
    throw new UnsupportedOperationException("get_validators_at_block: this master keeps no committees");
  }

  /**
   * Request 3: the validators of the current epoch.
   *
   * @throws Exception saying why the committee is not known
   */
  default ValidatorInfoList activeValidators() throws Exception {
    throw new UnsupportedOperationException("get_active_validators: this master keeps no committees");
  }

  /** Request 10 (mutating): consensus produces blocks from {@code blockNumber}. */
  default SetConsensusStartBlockResult setConsensusStartBlock(long blockNumber) throws Exception {
    throw new UnsupportedOperationException("set_consensus_start_block is not served by this master");
  }

  /** Request 11 (mutating): consensus ended at {@code lastConsensusBlock}; sync resumes after it. */
  default SetSyncStartBlockResult setSyncStartBlock(long lastConsensusBlock) throws Exception {
    throw new UnsupportedOperationException("set_sync_start_block is not served by this master");
  }

  /**
   * Request 12: a future completed with the last block once this master holds {@code target}. The
   * caller may complete it exceptionally (its timeout); the state must then forget it. Never
   * blocks.
   */
  default CompletableFuture<Long> blockHeld(long target) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("wait_for_sync_to_block is not served by this master"));
  }
}
