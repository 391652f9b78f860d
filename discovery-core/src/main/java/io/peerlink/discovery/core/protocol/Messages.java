package io.peerlink.discovery.core.protocol;

/** The two oneof messages, {@link Request} and {@link Response}: their members, encoding and decoding. */
final class Messages {

  static final int MAX_FIELD_NUMBER = (1 << 29) - 1;
  private static final int ERROR = 4;
  /** A decoded response views its frame only when the frame is at most this many times the bytes viewed. */
  static final int MAX_FRAME_PER_VIEWED_BYTE = 2;

  static final Oneof<Request> REQUESTS = new Oneof<Request>("Request")
      .member(1, "block_request", Request.BlockRequest.class, RequestSchemas.BLOCK_REQUEST)
      .member(2, "status_request", Request.Status.class, RequestSchemas.STATUS)
      .member(3, "get_active_validators_request", Request.GetActiveValidators.class, RequestSchemas.GET_ACTIVE_VALIDATORS)
      .member(4, "get_validators_at_block_request", Request.GetValidatorsAtBlock.class, RequestSchemas.GET_VALIDATORS_AT_BLOCK)
      .member(5, "get_last_block_number_request", Request.GetLastBlockNumber.class, RequestSchemas.GET_LAST_BLOCK_NUMBER)
      .member(6, "get_current_epoch_request", Request.GetCurrentEpoch.class, RequestSchemas.GET_CURRENT_EPOCH)
      .member(7, "get_epoch_start_timestamp_request", Request.GetEpochStartTimestamp.class, RequestSchemas.GET_EPOCH_START_TIMESTAMP)
      .member(8, "advance_epoch_request", Request.AdvanceEpoch.class, RequestSchemas.ADVANCE_EPOCH)
      .member(9, "get_epoch_boundary_data_request", Request.GetEpochBoundaryData.class, RequestSchemas.GET_EPOCH_BOUNDARY_DATA)
      .member(10, "set_consensus_start_block_request", Request.SetConsensusStartBlock.class, RequestSchemas.SET_CONSENSUS_START_BLOCK)
      .member(11, "set_sync_start_block_request", Request.SetSyncStartBlock.class, RequestSchemas.SET_SYNC_START_BLOCK)
      .member(12, "wait_for_sync_to_block_request", Request.WaitForSyncToBlock.class, RequestSchemas.WAIT_FOR_SYNC_TO_BLOCK)
      .member(20, "notify_epoch_change_request", Request.NotifyEpochChange.class, RequestSchemas.NOTIFY_EPOCH_CHANGE)
      .member(21, "get_blocks_range_request", Request.GetBlocksRange.class, RequestSchemas.GET_BLOCKS_RANGE)
      .member(22, "sync_blocks_request", Request.SyncBlocks.class, RequestSchemas.SYNC_BLOCKS)
      .member(30, "force_commit_request", Request.ForceCommit.class, RequestSchemas.FORCE_COMMIT);

  static final Oneof<Response> RESPONSES = new Oneof<Response>("Response")
      .member(1, "validator_list", Response.ValidatorList.class, ResponseSchemas.VALIDATOR_LIST)
      .member(2, "server_status", Response.ServerStatus.class, ResponseSchemas.SERVER_STATUS)
      .member(3, "validator_info_list", Response.ValidatorInfoList.class, ResponseSchemas.VALIDATOR_INFO_LIST)
      .member(5, "last_block_number_response", Response.LastBlockNumber.class, ResponseSchemas.LAST_BLOCK_NUMBER)
      .member(6, "get_current_epoch_response", Response.CurrentEpoch.class, ResponseSchemas.CURRENT_EPOCH)
      .member(7, "get_epoch_start_timestamp_response", Response.EpochStartTimestamp.class, ResponseSchemas.EPOCH_START_TIMESTAMP)
      .member(8, "advance_epoch_response", Response.AdvanceEpochResult.class, ResponseSchemas.ADVANCE_EPOCH_RESULT)
      .member(9, "epoch_boundary_data", Response.EpochBoundaryData.class, ResponseSchemas.EPOCH_BOUNDARY_DATA)
      .member(10, "set_consensus_start_block_response", Response.SetConsensusStartBlockResult.class, ResponseSchemas.SET_CONSENSUS_START_BLOCK_RESULT)
      .member(11, "set_sync_start_block_response", Response.SetSyncStartBlockResult.class, ResponseSchemas.SET_SYNC_START_BLOCK_RESULT)
      .member(12, "wait_for_sync_to_block_response", Response.WaitForSyncToBlockResult.class, ResponseSchemas.WAIT_FOR_SYNC_TO_BLOCK_RESULT)
      .member(20, "notify_epoch_change_response", Response.NotifyEpochChangeResult.class, ResponseSchemas.NOTIFY_EPOCH_CHANGE_RESULT)
      .member(21, "get_blocks_range_response", Response.BlocksRange.class, ResponseSchemas.BLOCKS_RANGE)
      .member(22, "sync_blocks_response", Response.SyncBlocksResult.class, ResponseSchemas.SYNC_BLOCKS_RESULT)
      .member(30, "force_commit_response", Response.ForceCommitResult.class, ResponseSchemas.FORCE_COMMIT_RESULT)
      .stringMember(ERROR, Response.Error.class, Response.Error::new, e -> ((Response.Error) e).message());

  private Messages() {
  }

  static byte[] encode(Request request) {
    if (request instanceof Request.Unsupported) {
      return Oneof.emptyMember(request.fieldNumber());
    }
    return REQUESTS.encode(request);
  }

  static byte[] encode(Response response) {
    return RESPONSES.encode(response);
  }

  static Request decodeRequest(byte[] bytes) throws ProtocolException {
    Oneof.Scan<Request> o = REQUESTS.scan(new WireReader(bytes));
    if (o.value != null) {
      return o.value;
    }
    if (REQUESTS.isMember(o.lastUnknownField)) {
      throw new ProtocolException("request field " + o.lastUnknownField + " has wire type "
          + o.lastUnknownWireType + " where a length-delimited message was expected");
    }
    if (o.lastUnknownField != 0) {
      return new Request.Unsupported(o.lastUnknownField);
    }
    throw new ProtocolException("request of " + bytes.length + " bytes carries no call (no payload field)");
  }

  /**
   * Decodes a response from an array handed over: the blocks of a range answer keep views of it,
   * but only when they are at least half of it ({@link #MAX_FRAME_PER_VIEWED_BYTE}); otherwise they are
   * decoded again as copies, so a frame padded with bytes nobody keeps (unknown fields, a long
   * error text) is not held alive by the few bytes of blocks it carries: what blocks hold stays
   * within twice what they count ({@link BlockData#encodedSize()}), which bounds catch-up's memory.
   */
  static Response decodeResponse(byte[] bytes) throws ProtocolException {
    Oneof.Scan<Response> o = RESPONSES.scan(WireReader.owning(bytes));
    if (o.viewedBytes > 0 && o.viewedBytes * MAX_FRAME_PER_VIEWED_BYTE < bytes.length) {
      o = RESPONSES.scan(new WireReader(bytes)); // decodes as the first pass did: it cannot fail
    }
    if (o.value != null) {
      return o.value;
    }
    throw new ProtocolException("response of " + bytes.length + " bytes carries no known payload"
        + (o.unknownFields.isEmpty() ? "" : " (unknown fields " + o.unknownFields + ")"));
  }
}
