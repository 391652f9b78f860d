package io.peerlink.discovery.core.server;

import io.peerlink.discovery.core.protocol.AnswerLimits;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import java.io.IOException;
import java.util.List;

/** The answers a {@link MasterState} gives to each call that is answered at once (all but 12). */
final class Calls {

  /** The calls that change the master: the local socket only. */
  static boolean isMutating(Request request) {
    return request instanceof Request.AdvanceEpoch || request instanceof Request.SyncBlocks
        || request instanceof Request.SetConsensusStartBlock || request instanceof Request.SetSyncStartBlock
        || request instanceof Request.ForceCommit;
  }

  static final String SERVED = "block_request (1), status_request (2), get_active_validators_request (3), "
      + "get_validators_at_block_request (4), get_last_block_number_request (5), get_current_epoch_request (6), "
      + "get_epoch_start_timestamp_request (7), advance_epoch_request (8), get_epoch_boundary_data_request (9), "
      + "set_consensus_start_block_request (10), set_sync_start_block_request (11), "
      + "wait_for_sync_to_block_request (12), get_blocks_range_request (21), sync_blocks_request (22)";

  private Calls() {
  }

  /** The answer to a call other than 12, unsupported calls and the read-only check aside. */
  static Answer answer(MasterState state, Request request) throws Exception {
    if (request instanceof Request.GetBlocksRange) {
      return blocksRange(state, (Request.GetBlocksRange) request);
    }
    return Answer.of(response(state, request));
  }

  /** As {@link #answer}, for the calls answered with a {@link Response} built here (all but 21). */
  private static Response response(MasterState state, Request request) throws Exception {
    if (request instanceof Request.GetLastBlockNumber) {
      return new Response.LastBlockNumber(state.lastBlockNumber());
    }
    if (request instanceof Request.GetCurrentEpoch) {
      return new Response.CurrentEpoch(state.currentEpoch());
    }
    if (request instanceof Request.GetEpochStartTimestamp) {
      return new Response.EpochStartTimestamp(state.epochStartTimestampMs(((Request.GetEpochStartTimestamp) request).epoch()));
    }
    if (request instanceof Request.Status) {
      return new Response.ServerStatus(state.statusMessage(), state.uptimeSeconds());
    }
    if (request instanceof Request.GetEpochBoundaryData) {
      return nonNull(state.epochBoundaryData(((Request.GetEpochBoundaryData) request).epoch()), request);
    }
    if (request instanceof Request.GetValidatorsAtBlock) {
      return nonNull(state.validatorsAtBlock(((Request.GetValidatorsAtBlock) request).blockNumber()), request);
    }
    if (request instanceof Request.BlockRequest) {
      long block = ((Request.BlockRequest) request).blockNumber();
      return new Response.ValidatorList(nonNull(state.validatorsAtBlock(block), request).validators());
    }
    if (request instanceof Request.GetActiveValidators) {
      return nonNull(state.activeValidators(), request);
    }
    if (request instanceof Request.AdvanceEpoch) {
      Request.AdvanceEpoch a = (Request.AdvanceEpoch) request;
      return nonNull(state.advanceEpoch(a.newEpoch(), a.epochStartTimestampMs(), a.boundaryBlock()), request);
    }
    if (request instanceof Request.SyncBlocks) {
      List<BlockData> blocks = ((Request.SyncBlocks) request).blocks();
      if (blocks.isEmpty()) {
        return new Response.SyncBlocksResult(0, state.lastBlockNumber(), "sync_blocks with no blocks: nothing to do");
      }
      return nonNull(state.syncBlocks(blocks), request);
    }
    if (request instanceof Request.SetConsensusStartBlock) {
      return nonNull(state.setConsensusStartBlock(((Request.SetConsensusStartBlock) request).blockNumber()), request);
    }
    if (request instanceof Request.SetSyncStartBlock) {
      return nonNull(state.setSyncStartBlock(((Request.SetSyncStartBlock) request).lastConsensusBlock()), request);
    }
    if (request instanceof Request.NotifyEpochChange) {
      return new Response.Error("notify_epoch_change is sent by a master to its consensus node; this is a master");
    }
    if (request instanceof Request.ForceCommit) {
      return new Response.Error("force_commit: this master makes blocks only from the commits of its block channel");
    }
    return new Response.Error("unsupported request field " + request.fieldNumber() + "; this master serves " + SERVED);
  }

  /**
   * The answer to {@code get_blocks_range}: the blocks' encoded bytes as the state hands them out,
   * capped at {@link AnswerLimits#MAX_BLOCKS_PER_RANGE} blocks and about
   * {@link AnswerLimits#MAX_RANGE_RESPONSE_BYTES} bytes by their lengths, then laid out as a frame
   * of the answer's header bytes and the blocks as the state hands them to it (ranges of its
   * files), without reading or decoding a block.
   */
  private static Answer blocksRange(MasterState state, Request.GetBlocksRange r) throws Exception {
    if (Long.compareUnsigned(r.fromBlock(), r.toBlock()) > 0) {
      return Answer.of(new Response.BlocksRange(List.of(), 0, "from_block " + Long.toUnsignedString(r.fromBlock())
          + " is after to_block " + Long.toUnsignedString(r.toBlock())));
    }
    try (EncodedBlocks all = nonNull(state.encodedBlocks(r.fromBlock(), r.toBlock()), r)) {
      int count = 0;
      long bytes = 0;
      for (int available = all.count(); count < available; count++) {
        long size = all.length(count) + 6L; // tag + length prefix
        if (count == AnswerLimits.MAX_BLOCKS_PER_RANGE
            || count > 0 && bytes + size > AnswerLimits.MAX_RANGE_RESPONSE_BYTES) {
          break;
        }
        if (count == 0 && size > AnswerLimits.MAX_SINGLE_BLOCK_ANSWER_BYTES) {
          return Answer.of(new Response.BlocksRange(List.of(), 0, "block " + numberOf(all) + " is " + size
              + " bytes, over the " + AnswerLimits.MAX_BLOCKS_RESPONSE_BYTES + "-byte answer limit"));
        }
        bytes += size;
      }
      return Answer.of(Response.BlocksRange.frameOf(all, count)); // the frame outlives all, and owns what it needs
    }
  }

  /** The number of an encoded block, for the refusal of one too large to answer: decoded only then. */
  private static String numberOf(EncodedBlocks blocks) throws IOException {
    byte[] encoded = new byte[blocks.length(0)];
    blocks.read(0, encoded, 0);
    try {
      return Long.toUnsignedString(BlockData.decode(encoded).blockNumber());
    } catch (ProtocolException e) {
      return "(which does not decode: " + e.getMessage() + ")";
    }
  }

  static <T> T nonNull(T value, Request request) {
    if (value == null) {
      throw new IllegalStateException("the master state returned nothing for " + request.callName());
    }
    return value;
  }

}
