package io.peerlink.discovery.core.protocol;

/** The two oneof messages, {@link Request} and {@link Response}: their members, encoding and decoding. */
final class Messages {

  static final int MAX_FIELD_NUMBER = (1 << 29) - 1;
  private static final int ERROR = 4;

  static final Oneof<Request> REQUESTS = new Oneof<Request>("Request")
      .member(1, "block_request", Request.BlockRequest.class, Request.BlockRequest.SCHEMA)
      .member(2, "status_request", Request.Status.class, Request.Status.SCHEMA)
      .member(3, "get_active_validators_request", Request.GetActiveValidators.class, Request.GetActiveValidators.SCHEMA)
      .member(4, "get_validators_at_block_request", Request.GetValidatorsAtBlock.class, Request.GetValidatorsAtBlock.SCHEMA)
      .member(5, "get_last_block_number_request", Request.GetLastBlockNumber.class, Request.GetLastBlockNumber.SCHEMA)
      .member(6, "get_current_epoch_request", Request.GetCurrentEpoch.class, Request.GetCurrentEpoch.SCHEMA)
      .member(7, "get_epoch_start_timestamp_request", Request.GetEpochStartTimestamp.class, Request.GetEpochStartTimestamp.SCHEMA)
      .member(8, "advance_epoch_request", Request.AdvanceEpoch.class, Request.AdvanceEpoch.SCHEMA)
      .member(9, "get_epoch_boundary_data_request", Request.GetEpochBoundaryData.class, Request.GetEpochBoundaryData.SCHEMA)
      .member(10, "set_consensus_start_block_request", Request.SetConsensusStartBlock.class, Request.SetConsensusStartBlock.SCHEMA)
      .member(11, "set_sync_start_block_request", Request.SetSyncStartBlock.class, Request.SetSyncStartBlock.SCHEMA)
      .member(12, "wait_for_sync_to_block_request", Request.WaitForSyncToBlock.class, Request.WaitForSyncToBlock.SCHEMA)
      .member(20, "notify_epoch_change_request", Request.NotifyEpochChange.class, Request.NotifyEpochChange.SCHEMA)
      .member(21, "get_blocks_range_request", Request.GetBlocksRange.class, Request.GetBlocksRange.SCHEMA)
      .member(22, "sync_blocks_request", Request.SyncBlocks.class, Request.SyncBlocks.SCHEMA)
      .member(30, "force_commit_request", Request.ForceCommit.class, Request.ForceCommit.SCHEMA);

  static final Oneof<Response> RESPONSES = new Oneof<Response>("Response")
      .member(1, "validator_list", Response.ValidatorList.class, Response.ValidatorList.SCHEMA)
      .member(2, "server_status", Response.ServerStatus.class, Response.ServerStatus.SCHEMA)
      .member(3, "validator_info_list", Response.ValidatorInfoList.class, Response.ValidatorInfoList.SCHEMA)
      .member(5, "last_block_number_response", Response.LastBlockNumber.class, Response.LastBlockNumber.SCHEMA)
      .member(6, "get_current_epoch_response", Response.CurrentEpoch.class, Response.CurrentEpoch.SCHEMA)
      .member(7, "get_epoch_start_timestamp_response", Response.EpochStartTimestamp.class, Response.EpochStartTimestamp.SCHEMA)
      .member(8, "advance_epoch_response", Response.AdvanceEpochResult.class, Response.AdvanceEpochResult.SCHEMA)
      .member(9, "epoch_boundary_data", Response.EpochBoundaryData.class, Response.EpochBoundaryData.SCHEMA)
      .member(10, "set_consensus_start_block_response", Response.SetConsensusStartBlockResult.class, Response.SetConsensusStartBlockResult.SCHEMA)
      .member(11, "set_sync_start_block_response", Response.SetSyncStartBlockResult.class, Response.SetSyncStartBlockResult.SCHEMA)
      .member(12, "wait_for_sync_to_block_response", Response.WaitForSyncToBlockResult.class, Response.WaitForSyncToBlockResult.SCHEMA)
      .member(20, "notify_epoch_change_response", Response.NotifyEpochChangeResult.class, Response.NotifyEpochChangeResult.SCHEMA)
      .member(21, "get_blocks_range_response", Response.BlocksRange.class, Response.BlocksRange.SCHEMA)
      .member(22, "sync_blocks_response", Response.SyncBlocksResult.class, Response.SyncBlocksResult.SCHEMA)
      .member(30, "force_commit_response", Response.ForceCommitResult.class, Response.ForceCommitResult.SCHEMA)
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
    Oneof.Scan<Request> o = REQUESTS.scan(bytes);
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

  static Response decodeResponse(byte[] bytes) throws ProtocolException {
    Oneof.Scan<Response> o = RESPONSES.scan(bytes);
    if (o.value != null) {
      return o.value;
    }
    throw new ProtocolException("response of " + bytes.length + " bytes carries no known payload"
        + (o.unknownFields.isEmpty() ? "" : " (unknown fields " + o.unknownFields + ")"));
  }
}
