package io.peerlink.discovery.core.protocol;

/**
 * The wire schema of every {@link Request} record: its field numbers and seed names, and how it is
 * built back from decoded values. Kept apart from the value types so {@code Request} reads as the
 * list of requests and their meaning; {@link Messages} joins these schemas into the oneof. Each is
 * built once, at class initialisation, so encoding and decoding allocate nothing more.
 */
final class RequestSchemas {
  static final Schema<Request.BlockRequest> BLOCK_REQUEST = Schema.<Request.BlockRequest>message("BlockRequest", Request.BlockRequest::unknownFields)
      .u64(1, "block_number", Request.BlockRequest::blockNumber)
      .build(v -> new Request.BlockRequest(v.u64(0), v.unknown()));

  static final Schema<Request.Status> STATUS = Schema.<Request.Status>message("StatusRequest", Request.Status::unknownFields)
      .build(v -> new Request.Status(v.unknown()));

  static final Schema<Request.GetActiveValidators> GET_ACTIVE_VALIDATORS = Schema.<Request.GetActiveValidators>message("GetActiveValidatorsRequest", Request.GetActiveValidators::unknownFields)
      .build(v -> new Request.GetActiveValidators(v.unknown()));

  static final Schema<Request.GetValidatorsAtBlock> GET_VALIDATORS_AT_BLOCK = Schema.<Request.GetValidatorsAtBlock>message("GetValidatorsAtBlockRequest", Request.GetValidatorsAtBlock::unknownFields)
      .u64(1, "block_number", Request.GetValidatorsAtBlock::blockNumber)
      .build(v -> new Request.GetValidatorsAtBlock(v.u64(0), v.unknown()));

  static final Schema<Request.GetLastBlockNumber> GET_LAST_BLOCK_NUMBER = Schema.<Request.GetLastBlockNumber>message("GetLastBlockNumberRequest", Request.GetLastBlockNumber::unknownFields)
      .build(v -> new Request.GetLastBlockNumber(v.unknown()));

  static final Schema<Request.GetCurrentEpoch> GET_CURRENT_EPOCH = Schema.<Request.GetCurrentEpoch>message("GetCurrentEpochRequest", Request.GetCurrentEpoch::unknownFields)
      .build(v -> new Request.GetCurrentEpoch(v.unknown()));

  static final Schema<Request.GetEpochStartTimestamp> GET_EPOCH_START_TIMESTAMP = Schema.<Request.GetEpochStartTimestamp>message("GetEpochStartTimestampRequest", Request.GetEpochStartTimestamp::unknownFields)
      .u64(1, "epoch", Request.GetEpochStartTimestamp::epoch)
      .build(v -> new Request.GetEpochStartTimestamp(v.u64(0), v.unknown()));

  static final Schema<Request.AdvanceEpoch> ADVANCE_EPOCH = Schema.<Request.AdvanceEpoch>message("AdvanceEpochRequest", Request.AdvanceEpoch::unknownFields)
      .u64(1, "new_epoch", Request.AdvanceEpoch::newEpoch)
      .u64(2, "epoch_start_timestamp_ms", Request.AdvanceEpoch::epochStartTimestampMs)
      .u64(3, "boundary_block", Request.AdvanceEpoch::boundaryBlock)
      .u64(4, "boundary_gei", Request.AdvanceEpoch::boundaryGei)
      .build(v -> new Request.AdvanceEpoch(v.u64(0), v.u64(1), v.u64(2), v.u64(3), v.unknown()));

  static final Schema<Request.GetEpochBoundaryData> GET_EPOCH_BOUNDARY_DATA = Schema.<Request.GetEpochBoundaryData>message("GetEpochBoundaryDataRequest", Request.GetEpochBoundaryData::unknownFields)
      .u64(1, "epoch", Request.GetEpochBoundaryData::epoch)
      .build(v -> new Request.GetEpochBoundaryData(v.u64(0), v.unknown()));

  static final Schema<Request.SetConsensusStartBlock> SET_CONSENSUS_START_BLOCK = Schema.<Request.SetConsensusStartBlock>message("SetConsensusStartBlockRequest", Request.SetConsensusStartBlock::unknownFields)
      .u64(1, "block_number", Request.SetConsensusStartBlock::blockNumber)
      .build(v -> new Request.SetConsensusStartBlock(v.u64(0), v.unknown()));

  static final Schema<Request.SetSyncStartBlock> SET_SYNC_START_BLOCK = Schema.<Request.SetSyncStartBlock>message("SetSyncStartBlockRequest", Request.SetSyncStartBlock::unknownFields)
      .u64(1, "last_consensus_block", Request.SetSyncStartBlock::lastConsensusBlock)
      .build(v -> new Request.SetSyncStartBlock(v.u64(0), v.unknown()));

  static final Schema<Request.WaitForSyncToBlock> WAIT_FOR_SYNC_TO_BLOCK = Schema.<Request.WaitForSyncToBlock>message("WaitForSyncToBlockRequest", Request.WaitForSyncToBlock::unknownFields)
      .u64(1, "target_block", Request.WaitForSyncToBlock::targetBlock)
      .u64(2, "timeout_seconds", Request.WaitForSyncToBlock::timeoutSeconds)
      .build(v -> new Request.WaitForSyncToBlock(v.u64(0), v.u64(1), v.unknown()));

  static final Schema<Request.NotifyEpochChange> NOTIFY_EPOCH_CHANGE = Schema.<Request.NotifyEpochChange>message("NotifyEpochChangeRequest", Request.NotifyEpochChange::unknownFields)
      .u64(1, "new_epoch", Request.NotifyEpochChange::newEpoch)
      .u64(2, "epoch_timestamp_ms", Request.NotifyEpochChange::epochTimestampMs)
      .u64(3, "boundary_block", Request.NotifyEpochChange::boundaryBlock)
      .build(v -> new Request.NotifyEpochChange(v.u64(0), v.u64(1), v.u64(2), v.unknown()));

  static final Schema<Request.GetBlocksRange> GET_BLOCKS_RANGE = Schema.<Request.GetBlocksRange>message("GetBlocksRangeRequest", Request.GetBlocksRange::unknownFields)
      .u64(1, "from_block", Request.GetBlocksRange::fromBlock)
      .u64(2, "to_block", Request.GetBlocksRange::toBlock)
      .build(v -> new Request.GetBlocksRange(v.u64(0), v.u64(1), v.unknown()));

  static final Schema<Request.SyncBlocks> SYNC_BLOCKS = Schema.<Request.SyncBlocks>message("SyncBlocksRequest", Request.SyncBlocks::unknownFields)
      .messages(1, "blocks", Request.SyncBlocks::blocks, BlockData.SCHEMA)
      .bool(2, "execute_mode", Request.SyncBlocks::executeMode)
      .build(v -> new Request.SyncBlocks(v.list(0), v.bool(1), v.unknown()));

  static final Schema<Request.ForceCommit> FORCE_COMMIT = Schema.<Request.ForceCommit>message("ForceCommitRequest", Request.ForceCommit::unknownFields)
      .string(1, "reason", Request.ForceCommit::reason)
      .build(v -> new Request.ForceCommit(v.string(0), v.unknown()));

  private RequestSchemas() {
  }
}
