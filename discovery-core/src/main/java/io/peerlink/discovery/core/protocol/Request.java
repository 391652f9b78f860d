package io.peerlink.discovery.core.protocol;

import java.util.List;

/**
 * A query-channel request: the seed's {@code Request} message, a {@code oneof payload} whose
 * field number selects the call. One record per call of every generation (G1 1-12, G2 20-22, G3
 * 30), each keeping the fields it does not know; a call of none of them decodes as
 * {@link Unsupported}.
 */
public sealed interface Request {

  /** The oneof field number of this call, e.g. 6 for {@code get_current_epoch_request}. */
  default int fieldNumber() {
    return Messages.REQUESTS.numberOf(this);
  }

  /** The seed's field name of this call, e.g. {@code get_current_epoch_request}. */
  default String fieldName() {
    return Messages.REQUESTS.nameOf(this);
  }

  /** The call's name in messages and metrics: {@code advance_epoch} for {@code advance_epoch_request}. */
  default String callName() {
    String name = fieldName();
    return name.endsWith("_request") ? name.substring(0, name.length() - "_request".length()) : name;
  }

  /** The protobuf bytes: one oneof field, written even when its message is empty. */
  default byte[] encode() {
    return Messages.encode(this);
  }

  /**
   * Parses protobuf bytes. Fields of the top-level message other than the call are skipped; when
   * no known call is present, the last unknown field number becomes {@link Unsupported}. As in
   * protobuf, the last call present wins, and a call present twice is merged.
   *
   * @throws ProtocolException when the bytes are truncated or malformed, or carry no field at all
   */
  static Request decode(byte[] bytes) throws ProtocolException {
    return Messages.decodeRequest(bytes);
  }

  /**
   * Field 1, block_request: legacy, kept for numbering; answered with the validators at the block
   *
   * @param blockNumber field 1
   * @param unknownFields fields this version does not know, kept
   */
  record BlockRequest(long blockNumber, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public BlockRequest {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public BlockRequest(long blockNumber) {
      this(blockNumber, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.BLOCK_REQUEST.toString(this);
    }
  }

  /**
   * Field 2, status_request: liveness
   *
   * @param unknownFields fields this version does not know, kept
   */
  record Status(UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public Status {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public Status() {
      this(UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.STATUS.toString(this);
    }
  }

  /**
   * Field 3, get_active_validators_request: the validators in force now
   *
   * @param unknownFields fields this version does not know, kept
   */
  record GetActiveValidators(UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetActiveValidators {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetActiveValidators() {
      this(UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_ACTIVE_VALIDATORS.toString(this);
    }
  }

  /**
   * Field 4, get_validators_at_block_request: the validators at a block: 0 = genesis, or the last block of an epoch
   *
   * @param blockNumber field 1
   * @param unknownFields fields this version does not know, kept
   */
  record GetValidatorsAtBlock(long blockNumber, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetValidatorsAtBlock {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetValidatorsAtBlock(long blockNumber) {
      this(blockNumber, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_VALIDATORS_AT_BLOCK.toString(this);
    }
  }

  /**
   * Field 5, get_last_block_number_request: the last executed block
   *
   * @param unknownFields fields this version does not know, kept
   */
  record GetLastBlockNumber(UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetLastBlockNumber {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetLastBlockNumber() {
      this(UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_LAST_BLOCK_NUMBER.toString(this);
    }
  }

  /**
   * Field 6, get_current_epoch_request: the current epoch
   *
   * @param unknownFields fields this version does not know, kept
   */
  record GetCurrentEpoch(UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetCurrentEpoch {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetCurrentEpoch() {
      this(UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_CURRENT_EPOCH.toString(this);
    }
  }

  /**
   * Field 7, get_epoch_start_timestamp_request: the start of an epoch. G1 sends it empty and means the current epoch; G2+ send the epoch
   *
   * @param epoch field 1, G2: the epoch asked about
   * @param unknownFields fields this version does not know, kept
   */
  record GetEpochStartTimestamp(long epoch, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetEpochStartTimestamp {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetEpochStartTimestamp(long epoch) {
      this(epoch, UnknownFields.EMPTY);
    }

    /** Empty, as G1 sends it: the current epoch. */
    public GetEpochStartTimestamp() {
      this(0);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_EPOCH_START_TIMESTAMP.toString(this);
    }
  }

  /**
   * Field 8, advance_epoch_request: move to a new epoch. Mutating: served on the local socket only
   *
   * @param newEpoch field 1
   * @param epochStartTimestampMs field 2
   * @param boundaryBlock field 3
   * @param boundaryGei field 4, G3
   * @param unknownFields fields this version does not know, kept
   */
  record AdvanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock, long boundaryGei, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public AdvanceEpoch {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public AdvanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock, long boundaryGei) {
      this(newEpoch, epochStartTimestampMs, boundaryBlock, boundaryGei, UnknownFields.EMPTY);
    }

    /** G1's fields 1-3. */
    public AdvanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) {
      this(newEpoch, epochStartTimestampMs, boundaryBlock, 0);
    }

    @Override
    public String toString() {
      return RequestSchemas.ADVANCE_EPOCH.toString(this);
    }
  }

  /**
   * Field 9, get_epoch_boundary_data_request: the committee of an epoch, as of its boundary block
   *
   * @param epoch field 1
   * @param unknownFields fields this version does not know, kept
   */
  record GetEpochBoundaryData(long epoch, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetEpochBoundaryData {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetEpochBoundaryData(long epoch) {
      this(epoch, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_EPOCH_BOUNDARY_DATA.toString(this);
    }
  }

  /**
   * Field 10, set_consensus_start_block_request: consensus will produce blocks from {@code blockNumber}. Mutating
   *
   * @param blockNumber field 1
   * @param unknownFields fields this version does not know, kept
   */
  record SetConsensusStartBlock(long blockNumber, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public SetConsensusStartBlock {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public SetConsensusStartBlock(long blockNumber) {
      this(blockNumber, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.SET_CONSENSUS_START_BLOCK.toString(this);
    }
  }

  /**
   * Field 11, set_sync_start_block_request: consensus ended at {@code lastConsensusBlock}; sync resumes from the next. Mutating
   *
   * @param lastConsensusBlock field 1
   * @param unknownFields fields this version does not know, kept
   */
  record SetSyncStartBlock(long lastConsensusBlock, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public SetSyncStartBlock {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public SetSyncStartBlock(long lastConsensusBlock) {
      this(lastConsensusBlock, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.SET_SYNC_START_BLOCK.toString(this);
    }
  }

  /**
   * Field 12, wait_for_sync_to_block_request: answer once the master holds {@code targetBlock}, or when the timeout passes
   *
   * @param targetBlock field 1
   * @param timeoutSeconds field 2, 0 = the server's default
   * @param unknownFields fields this version does not know, kept
   */
  record WaitForSyncToBlock(long targetBlock, long timeoutSeconds, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public WaitForSyncToBlock {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public WaitForSyncToBlock(long targetBlock, long timeoutSeconds) {
      this(targetBlock, timeoutSeconds, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.WAIT_FOR_SYNC_TO_BLOCK.toString(this);
    }
  }

  /**
   * Field 20, notify_epoch_change_request (G2): pushed by a master to its node (the node serves it)
   *
   * @param newEpoch field 1
   * @param epochTimestampMs field 2
   * @param boundaryBlock field 3
   * @param unknownFields fields this version does not know, kept
   */
  record NotifyEpochChange(long newEpoch, long epochTimestampMs, long boundaryBlock, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public NotifyEpochChange {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public NotifyEpochChange(long newEpoch, long epochTimestampMs, long boundaryBlock) {
      this(newEpoch, epochTimestampMs, boundaryBlock, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.NOTIFY_EPOCH_CHANGE.toString(this);
    }
  }

  /**
   * Field 21, get_blocks_range_request (G2): blocks {@code fromBlock..toBlock}, inclusive, for catch-up
   *
   * @param fromBlock field 1
   * @param toBlock field 2
   * @param unknownFields fields this version does not know, kept
   */
  record GetBlocksRange(long fromBlock, long toBlock, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public GetBlocksRange {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public GetBlocksRange(long fromBlock, long toBlock) {
      this(fromBlock, toBlock, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.GET_BLOCKS_RANGE.toString(this);
    }
  }

  /**
   * Field 22, sync_blocks_request (G2): hand blocks fetched from peers to the local master. Mutating
   *
   * @param blocks field 1, repeated
   * @param executeMode field 2, G3
   * @param unknownFields fields this version does not know, kept
   */
  record SyncBlocks(List<BlockData> blocks, boolean executeMode, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public SyncBlocks {
      blocks = blocks == null ? List.of() : List.copyOf(blocks);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public SyncBlocks(List<BlockData> blocks, boolean executeMode) {
      this(blocks, executeMode, UnknownFields.EMPTY);
    }

    /** G2's field 1. */
    public SyncBlocks(List<BlockData> blocks) {
      this(blocks, false);
    }

    @Override
    public String toString() {
      return RequestSchemas.SYNC_BLOCKS.toString(this);
    }
  }

  /**
   * Field 30, force_commit_request (G3): node to master: produce a block now. Mutating
   *
   * @param reason field 1
   * @param unknownFields fields this version does not know, kept
   */
  record ForceCommit(String reason, UnknownFields unknownFields) implements Request {
    /** Null strings and lists become empty, null unknown fields none. */
    public ForceCommit {
      reason = Text.orEmpty(reason);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public ForceCommit(String reason) {
      this(reason, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return RequestSchemas.FORCE_COMMIT.toString(this);
    }
  }

  /**
   * A call of no known generation. Encoded as the field with an empty message.
   *
   * @param fieldNumber the oneof field number, 1 to 2^29-1, not one of the known calls
   */
  record Unsupported(int fieldNumber) implements Request {
    /** Checks the number is a valid field number and not a known call. */
    public Unsupported {
      if (fieldNumber < 1 || fieldNumber > Messages.MAX_FIELD_NUMBER) {
        throw new IllegalArgumentException("field number must be 1 to 2^29-1, got " + fieldNumber);
      }
      if (Messages.REQUESTS.isMember(fieldNumber)) {
        throw new IllegalArgumentException("field " + fieldNumber + " is a known call, not an unsupported one");
      }
    }

    @Override
    public int fieldNumber() {
      return fieldNumber;
    }

    @Override
    public String fieldName() {
      return "field " + fieldNumber;
    }
  }
}
