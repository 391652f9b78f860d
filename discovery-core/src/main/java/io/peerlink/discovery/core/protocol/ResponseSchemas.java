package io.peerlink.discovery.core.protocol;

/**
 * The wire schema of every {@link Response} record: its field numbers and seed names, and how it is
 * built back from decoded values. Kept apart from the value types so {@code Response} reads as the
 * list of responses and their meaning; {@link Messages} joins these schemas into the oneof. Each is
 * built once, at class initialisation, so encoding and decoding allocate nothing more.
 */
final class ResponseSchemas {
  static final Schema<Response.ValidatorList> VALIDATOR_LIST = Schema.<Response.ValidatorList>message("ValidatorList", Response.ValidatorList::unknownFields)
      .messages(1, "validators", Response.ValidatorList::validators, ValidatorInfo.SCHEMA)
      .build(v -> new Response.ValidatorList(v.list(0), v.unknown()));

  static final Schema<Response.ServerStatus> SERVER_STATUS = Schema.<Response.ServerStatus>message("ServerStatus", Response.ServerStatus::unknownFields)
      .string(1, "status_message", Response.ServerStatus::statusMessage)
      .u64(2, "uptime_seconds", Response.ServerStatus::uptimeSeconds)
      .build(v -> new Response.ServerStatus(v.string(0), v.u64(1), v.unknown()));

  static final Schema<Response.ValidatorInfoList> VALIDATOR_INFO_LIST = Schema.<Response.ValidatorInfoList>message("ValidatorInfoList", Response.ValidatorInfoList::unknownFields)
      .messages(1, "validators", Response.ValidatorInfoList::validators, ValidatorInfo.SCHEMA)
      .u64(2, "epoch_timestamp_ms", Response.ValidatorInfoList::epochTimestampMs)
      .u64(3, "last_global_exec_index", Response.ValidatorInfoList::lastGlobalExecIndex)
      .build(v -> new Response.ValidatorInfoList(v.list(0), v.u64(1), v.u64(2), v.unknown()));

  static final Schema<Response.LastBlockNumber> LAST_BLOCK_NUMBER = Schema.<Response.LastBlockNumber>message("LastBlockNumberResponse", Response.LastBlockNumber::unknownFields)
      .u64(1, "last_block_number", Response.LastBlockNumber::lastBlockNumber)
      .u64(2, "last_global_exec_index", Response.LastBlockNumber::lastGlobalExecIndex)
      .bool(3, "is_ready", Response.LastBlockNumber::isReady)
      .build(v -> new Response.LastBlockNumber(v.u64(0), v.u64(1), v.bool(2), v.unknown()));

  static final Schema<Response.CurrentEpoch> CURRENT_EPOCH = Schema.<Response.CurrentEpoch>message("GetCurrentEpochResponse", Response.CurrentEpoch::unknownFields)
      .u64(1, "epoch", Response.CurrentEpoch::epoch)
      .build(v -> new Response.CurrentEpoch(v.u64(0), v.unknown()));

  static final Schema<Response.EpochStartTimestamp> EPOCH_START_TIMESTAMP = Schema.<Response.EpochStartTimestamp>message("GetEpochStartTimestampResponse", Response.EpochStartTimestamp::unknownFields)
      .u64(1, "timestamp_ms", Response.EpochStartTimestamp::timestampMs)
      .build(v -> new Response.EpochStartTimestamp(v.u64(0), v.unknown()));

  static final Schema<Response.AdvanceEpochResult> ADVANCE_EPOCH_RESULT = Schema.<Response.AdvanceEpochResult>message("AdvanceEpochResponse", Response.AdvanceEpochResult::unknownFields)
      .u64(1, "new_epoch", Response.AdvanceEpochResult::newEpoch)
      .u64(2, "epoch_start_timestamp_ms", Response.AdvanceEpochResult::epochStartTimestampMs)
      .build(v -> new Response.AdvanceEpochResult(v.u64(0), v.u64(1), v.unknown()));

  static final Schema<Response.EpochBoundaryData> EPOCH_BOUNDARY_DATA = Schema.<Response.EpochBoundaryData>message("EpochBoundaryData", Response.EpochBoundaryData::unknownFields)
      .u64(1, "epoch", Response.EpochBoundaryData::epoch)
      .u64(2, "epoch_start_timestamp_ms", Response.EpochBoundaryData::epochStartTimestampMs)
      .u64(3, "boundary_block", Response.EpochBoundaryData::boundaryBlock)
      .messages(4, "validators", Response.EpochBoundaryData::validators, ValidatorInfo.SCHEMA)
      .u64(5, "epoch_duration_seconds", Response.EpochBoundaryData::epochDurationSeconds)
      .u64(6, "boundary_gei", Response.EpochBoundaryData::boundaryGei)
      .build(v -> new Response.EpochBoundaryData(v.u64(0), v.u64(1), v.u64(2), v.list(3), v.u64(4), v.u64(5), v.unknown()));

  static final Schema<Response.SetConsensusStartBlockResult> SET_CONSENSUS_START_BLOCK_RESULT = Schema.<Response.SetConsensusStartBlockResult>message("SetConsensusStartBlockResponse", Response.SetConsensusStartBlockResult::unknownFields)
      .bool(1, "success", Response.SetConsensusStartBlockResult::success)
      .u64(2, "last_sync_block", Response.SetConsensusStartBlockResult::lastSyncBlock)
      .string(3, "message", Response.SetConsensusStartBlockResult::message)
      .build(v -> new Response.SetConsensusStartBlockResult(v.bool(0), v.u64(1), v.string(2), v.unknown()));

  static final Schema<Response.SetSyncStartBlockResult> SET_SYNC_START_BLOCK_RESULT = Schema.<Response.SetSyncStartBlockResult>message("SetSyncStartBlockResponse", Response.SetSyncStartBlockResult::unknownFields)
      .bool(1, "success", Response.SetSyncStartBlockResult::success)
      .u64(2, "sync_start_block", Response.SetSyncStartBlockResult::syncStartBlock)
      .string(3, "message", Response.SetSyncStartBlockResult::message)
      .build(v -> new Response.SetSyncStartBlockResult(v.bool(0), v.u64(1), v.string(2), v.unknown()));

  static final Schema<Response.WaitForSyncToBlockResult> WAIT_FOR_SYNC_TO_BLOCK_RESULT = Schema.<Response.WaitForSyncToBlockResult>message("WaitForSyncToBlockResponse", Response.WaitForSyncToBlockResult::unknownFields)
      .bool(1, "reached", Response.WaitForSyncToBlockResult::reached)
      .u64(2, "current_block", Response.WaitForSyncToBlockResult::currentBlock)
      .string(3, "message", Response.WaitForSyncToBlockResult::message)
      .build(v -> new Response.WaitForSyncToBlockResult(v.bool(0), v.u64(1), v.string(2), v.unknown()));

  static final Schema<Response.NotifyEpochChangeResult> NOTIFY_EPOCH_CHANGE_RESULT = Schema.<Response.NotifyEpochChangeResult>message("NotifyEpochChangeResponse", Response.NotifyEpochChangeResult::unknownFields)
      .bool(1, "success", Response.NotifyEpochChangeResult::success)
      .string(2, "message", Response.NotifyEpochChangeResult::message)
      .build(v -> new Response.NotifyEpochChangeResult(v.bool(0), v.string(1), v.unknown()));

  static final Schema<Response.BlocksRange> BLOCKS_RANGE = Schema.<Response.BlocksRange>message("GetBlocksRangeResponse", Response.BlocksRange::unknownFields)
      .messages(1, "blocks", Response.BlocksRange::blocks, BlockData.SCHEMA)
      .u64(2, "count", Response.BlocksRange::count)
      .string(3, "error", Response.BlocksRange::error)
      .build(v -> new Response.BlocksRange(v.list(0), v.u64(1), v.string(2), v.unknown()));

  static final Schema<Response.SyncBlocksResult> SYNC_BLOCKS_RESULT = Schema.<Response.SyncBlocksResult>message("SyncBlocksResponse", Response.SyncBlocksResult::unknownFields)
      .u64(1, "synced_count", Response.SyncBlocksResult::syncedCount)
      .u64(2, "last_synced_block", Response.SyncBlocksResult::lastSyncedBlock)
      .string(3, "error", Response.SyncBlocksResult::error)
      .u64(4, "last_executed_gei", Response.SyncBlocksResult::lastExecutedGei)
      .build(v -> new Response.SyncBlocksResult(v.u64(0), v.u64(1), v.string(2), v.u64(3), v.unknown()));

  static final Schema<Response.ForceCommitResult> FORCE_COMMIT_RESULT = Schema.<Response.ForceCommitResult>message("ForceCommitResponse", Response.ForceCommitResult::unknownFields)
      .bool(1, "success", Response.ForceCommitResult::success)
      .build(v -> new Response.ForceCommitResult(v.bool(0), v.unknown()));

  private ResponseSchemas() {
  }
}
