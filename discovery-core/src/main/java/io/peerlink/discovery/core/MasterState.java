package io.peerlink.discovery.core;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import java.util.List;

/**
 * The server side: what a master knows. The embedding application implements it; a {@link
 * Responder} answers the query channel from it.
 *
 * <p>Methods are called on a connection's I/O thread, one request at a time per connection but
 * possibly from several connections at once, so implementations are thread-safe. An exception
 * thrown by any method becomes an {@code error} response carrying its message; the connection
 * stays open.
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

  /** Moves to a new epoch; a mutating call, served on the local socket only. */
  AdvanceEpochResult advanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) throws Exception;

  /** Takes blocks fetched from peers; a mutating call, served on the local socket only. */
  SyncBlocksResult syncBlocks(List<BlockData> blocks) throws Exception;
}
