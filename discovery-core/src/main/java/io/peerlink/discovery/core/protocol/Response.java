package io.peerlink.discovery.core.protocol;

import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.util.List;

/**
 * A query-channel response: the seed's {@code Response} message, a {@code oneof payload} whose
 * field number matches the request's ({@link Error} aside, which answers any call; requests 3 and
 * 4 both answer with {@link ValidatorInfoList}, field 3). One record per answer of every
 * generation, each keeping the fields it does not know.
 */
public sealed interface Response {

  /** The oneof field number, e.g. 6 for {@code get_current_epoch_response}. */
  default int fieldNumber() {
    return Messages.RESPONSES.numberOf(this);
  }

  /** The seed's field name, e.g. {@code get_current_epoch_response}. */
  default String fieldName() {
    return this instanceof Error ? "error" : Messages.RESPONSES.nameOf(this);
  }

  /** The protobuf bytes: one oneof field, written even when its value is empty. */
  default byte[] encode() {
    return Messages.encode(this);
  }

  /**
   * Parses protobuf bytes, taking the array over: the caller must not change it afterwards (pass a
   * copy of an array that is reused). Fields of the top-level message other than the payload are
   * skipped. As in protobuf, the last payload present wins, and a payload present twice is merged.
   *
   * <p>The blocks of a {@code get_blocks_range} answer are views of {@code bytes}, not copies
   * (issue 15): each {@link BlockData}'s encoding, fields 12 and 13 included, is a range of the
   * array, so receiving an answer costs no per-block copy and no per-block object of the block's
   * size (a transport's frame is one array, which its handler owns). A block therefore keeps the
   * whole array alive until the last block of the answer is let go: catch-up's fetch window holds
   * a block until it is applied, and counts its {@link BlockData#encodedSize()}, so memory stays
   * bounded by that byte accounting as before. The blocks view the array only when they make up
   * at least half of it; a frame padded beyond that (unknown fields, a long error text) is decoded
   * into copies, so what a block keeps alive is never more than twice what it counts.
   *
   * @param bytes the encoded response, handed over
   * @throws ProtocolException when the bytes are truncated or malformed, or carry none of the
   *     known payloads (the message names the unknown fields seen)
   */
  static Response decode(byte[] bytes) throws ProtocolException {
    return Messages.decodeResponse(bytes);
  }

  /**
   * Field 4: the call failed.
   *
   * @param message why, as the server wrote it; null becomes empty
   */
  record Error(String message) implements Response {
    /** Null becomes empty. */
    public Error {
      message = message == null ? "" : message;
    }
  }

  /**
   * Field 1, validator_list: the answer to {@code block_request}
   *
   * @param validators field 1, repeated
   * @param unknownFields fields this version does not know, kept
   */
  record ValidatorList(List<ValidatorInfo> validators, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public ValidatorList {
      validators = validators == null ? List.of() : List.copyOf(validators);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public ValidatorList(List<ValidatorInfo> validators) {
      this(validators, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.VALIDATOR_LIST.toString(this);
    }
  }

  /**
   * Field 2, server_status: the answer to {@code status_request}
   *
   * @param statusMessage field 1
   * @param uptimeSeconds field 2
   * @param unknownFields fields this version does not know, kept
   */
  record ServerStatus(String statusMessage, long uptimeSeconds, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public ServerStatus {
      statusMessage = Text.orEmpty(statusMessage);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public ServerStatus(String statusMessage, long uptimeSeconds) {
      this(statusMessage, uptimeSeconds, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.SERVER_STATUS.toString(this);
    }
  }

  /**
   * Field 3, validator_info_list: the answer to {@code get_active_validators_request} and {@code get_validators_at_block_request}
   *
   * @param validators field 1, repeated
   * @param epochTimestampMs field 2, the epoch's start
   * @param lastGlobalExecIndex field 3, the epoch's boundary block
   * @param unknownFields fields this version does not know, kept
   */
  record ValidatorInfoList(List<ValidatorInfo> validators, long epochTimestampMs, long lastGlobalExecIndex, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public ValidatorInfoList {
      validators = validators == null ? List.of() : List.copyOf(validators);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public ValidatorInfoList(List<ValidatorInfo> validators, long epochTimestampMs, long lastGlobalExecIndex) {
      this(validators, epochTimestampMs, lastGlobalExecIndex, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.VALIDATOR_INFO_LIST.toString(this);
    }
  }

  /**
   * Field 5, last_block_number_response: the last executed block (G1: the highest contiguous {@code global_exec_index} applied)
   *
   * @param lastBlockNumber field 1
   * @param lastGlobalExecIndex field 2, G3
   * @param isReady field 3, G3
   * @param unknownFields fields this version does not know, kept
   */
  record LastBlockNumber(long lastBlockNumber, long lastGlobalExecIndex, boolean isReady, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public LastBlockNumber {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public LastBlockNumber(long lastBlockNumber, long lastGlobalExecIndex, boolean isReady) {
      this(lastBlockNumber, lastGlobalExecIndex, isReady, UnknownFields.EMPTY);
    }

    /** G1's field 1. */
    public LastBlockNumber(long lastBlockNumber) {
      this(lastBlockNumber, 0, false);
    }

    @Override
    public String toString() {
      return ResponseSchemas.LAST_BLOCK_NUMBER.toString(this);
    }
  }

  /**
   * Field 6, get_current_epoch_response: the current epoch
   *
   * @param epoch field 1
   * @param unknownFields fields this version does not know, kept
   */
  record CurrentEpoch(long epoch, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public CurrentEpoch {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public CurrentEpoch(long epoch) {
      this(epoch, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.CURRENT_EPOCH.toString(this);
    }
  }

  /**
   * Field 7, get_epoch_start_timestamp_response: the start of the epoch asked about
   *
   * @param timestampMs field 1, ms since the Unix epoch
   * @param unknownFields fields this version does not know, kept
   */
  record EpochStartTimestamp(long timestampMs, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public EpochStartTimestamp {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public EpochStartTimestamp(long timestampMs) {
      this(timestampMs, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.EPOCH_START_TIMESTAMP.toString(this);
    }
  }

  /**
   * Field 8, advance_epoch_response: the epoch the master moved to
   *
   * @param newEpoch field 1
   * @param epochStartTimestampMs field 2
   * @param unknownFields fields this version does not know, kept
   */
  record AdvanceEpochResult(long newEpoch, long epochStartTimestampMs, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public AdvanceEpochResult {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public AdvanceEpochResult(long newEpoch, long epochStartTimestampMs) {
      this(newEpoch, epochStartTimestampMs, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.ADVANCE_EPOCH_RESULT.toString(this);
    }
  }

  /**
   * Field 9, epoch_boundary_data: the committee of an epoch, as of its boundary block
   *
   * @param epoch field 1
   * @param epochStartTimestampMs field 2
   * @param boundaryBlock field 3, the last block of the previous epoch
   * @param validators field 4, repeated
   * @param epochDurationSeconds field 5, G3
   * @param boundaryGei field 6, G3
   * @param unknownFields fields this version does not know, kept
   */
  record EpochBoundaryData(long epoch, long epochStartTimestampMs, long boundaryBlock, List<ValidatorInfo> validators, long epochDurationSeconds, long boundaryGei, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public EpochBoundaryData {
      validators = validators == null ? List.of() : List.copyOf(validators);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public EpochBoundaryData(long epoch, long epochStartTimestampMs, long boundaryBlock, List<ValidatorInfo> validators, long epochDurationSeconds, long boundaryGei) {
      this(epoch, epochStartTimestampMs, boundaryBlock, validators, epochDurationSeconds, boundaryGei, UnknownFields.EMPTY);
    }

    /** G1's fields 1-4. */
    public EpochBoundaryData(long epoch, long epochStartTimestampMs, long boundaryBlock, List<ValidatorInfo> validators) {
      this(epoch, epochStartTimestampMs, boundaryBlock, validators, 0, 0);
    }

    /** The protobuf bytes of the message alone (not as a {@code Response}). */
    public byte[] encodeMessage() {
      return ResponseSchemas.EPOCH_BOUNDARY_DATA.encode(this);
    }

    /**
     * Parses the message alone (not as a {@code Response}).
     *
     * @throws ProtocolException when the bytes are truncated or malformed
     */
    public static EpochBoundaryData decodeMessage(byte[] bytes) throws ProtocolException {
      return ResponseSchemas.EPOCH_BOUNDARY_DATA.decode(bytes);
    }

    @Override
    public String toString() {
      return ResponseSchemas.EPOCH_BOUNDARY_DATA.toString(this);
    }
  }

  /**
   * Field 10, set_consensus_start_block_response: the answer to {@code set_consensus_start_block_request}
   *
   * @param success field 1
   * @param lastSyncBlock field 2, the block before consensus takes over
   * @param message field 3
   * @param unknownFields fields this version does not know, kept
   */
  record SetConsensusStartBlockResult(boolean success, long lastSyncBlock, String message, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public SetConsensusStartBlockResult {
      message = Text.orEmpty(message);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public SetConsensusStartBlockResult(boolean success, long lastSyncBlock, String message) {
      this(success, lastSyncBlock, message, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.SET_CONSENSUS_START_BLOCK_RESULT.toString(this);
    }
  }

  /**
   * Field 11, set_sync_start_block_response: the answer to {@code set_sync_start_block_request}
   *
   * @param success field 1
   * @param syncStartBlock field 2, the first block sync fetches
   * @param message field 3
   * @param unknownFields fields this version does not know, kept
   */
  record SetSyncStartBlockResult(boolean success, long syncStartBlock, String message, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public SetSyncStartBlockResult {
      message = Text.orEmpty(message);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public SetSyncStartBlockResult(boolean success, long syncStartBlock, String message) {
      this(success, syncStartBlock, message, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.SET_SYNC_START_BLOCK_RESULT.toString(this);
    }
  }

  /**
   * Field 12, wait_for_sync_to_block_response: the answer to {@code wait_for_sync_to_block_request}
   *
   * @param reached field 1
   * @param currentBlock field 2, the last block when answered
   * @param message field 3
   * @param unknownFields fields this version does not know, kept
   */
  record WaitForSyncToBlockResult(boolean reached, long currentBlock, String message, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public WaitForSyncToBlockResult {
      message = Text.orEmpty(message);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public WaitForSyncToBlockResult(boolean reached, long currentBlock, String message) {
      this(reached, currentBlock, message, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.WAIT_FOR_SYNC_TO_BLOCK_RESULT.toString(this);
    }
  }

  /**
   * Field 20, notify_epoch_change_response (G2): the node's answer to {@code notify_epoch_change_request}
   *
   * @param success field 1
   * @param message field 2
   * @param unknownFields fields this version does not know, kept
   */
  record NotifyEpochChangeResult(boolean success, String message, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public NotifyEpochChangeResult {
      message = Text.orEmpty(message);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public NotifyEpochChangeResult(boolean success, String message) {
      this(success, message, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.NOTIFY_EPOCH_CHANGE_RESULT.toString(this);
    }
  }

  /**
   * Field 21, get_blocks_range_response (G2): the blocks of a range
   *
   * @param blocks field 1, repeated
   * @param count field 2, the number of blocks
   * @param error field 3, empty when the call succeeded
   * @param unknownFields fields this version does not know, kept
   */
  record BlocksRange(List<BlockData> blocks, long count, String error, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public BlocksRange {
      blocks = blocks == null ? List.of() : List.copyOf(blocks);
      error = Text.orEmpty(error);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public BlocksRange(List<BlockData> blocks, long count, String error) {
      this(blocks, count, error, UnknownFields.EMPTY);
    }

    /** A successful answer: the blocks and their count. */
    public static BlocksRange of(List<BlockData> blocks) {
      return new BlocksRange(blocks, blocks.size(), "");
    }

    /**
     * The bytes of {@code of(decoded).encode()} for the first {@code count} of {@code blocks},
     * written from the blocks' encoded {@code BlockData} messages ({@link BlockData#encode()}) as
     * they are, without decoding them: {@link #frameOf}, the answer a master that stores blocks
     * encoded sends for {@code get_blocks_range}, read into one array.
     *
     * @param blocks each block's bytes, in answer order; checked by whoever stored them
     * @param count how many of {@code blocks} the answer carries, from the first
     * @throws IOException when a block's bytes cannot be read
     */
    public static byte[] encodeOf(EncodedBlocks blocks, int count) throws IOException {
      return EncodedBlocksRange.encode(blocks, count);
    }

    /**
     * The bytes of {@link #encodeOf} laid out as a frame to send, without reading the blocks: the
     * answer's header bytes (one array for all of them) between the blocks, each block as
     * {@link EncodedBlocks#addTo} appends it (a range of a master's file, or an array). The frame
     * may outlive {@code blocks} (closed once this returns) and owns what the blocks handed it:
     * whoever takes it closes it, by sending it ({@code Connection.send(OutgoingFrame)}) or with
     * {@link OutgoingFrame#close()}. Its length is {@code encodeOf(blocks, count).length}.
     *
     * @param blocks each block's bytes, in answer order; checked by whoever stored them
     * @param count how many of {@code blocks} the answer carries, from the first
     * @throws IOException when a block cannot be located or read; whatever the blocks had handed
     *     to the frame is closed first
     */
    public static OutgoingFrame frameOf(EncodedBlocks blocks, int count) throws IOException {
      return EncodedBlocksRange.frame(blocks, count);
    }

    @Override
    public String toString() {
      return ResponseSchemas.BLOCKS_RANGE.toString(this);
    }
  }

  /**
   * Field 22, sync_blocks_response (G2): what the master did with blocks handed to it
   *
   * @param syncedCount field 1
   * @param lastSyncedBlock field 2
   * @param error field 3, empty when the call succeeded
   * @param lastExecutedGei field 4, G3
   * @param unknownFields fields this version does not know, kept
   */
  record SyncBlocksResult(long syncedCount, long lastSyncedBlock, String error, long lastExecutedGei, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public SyncBlocksResult {
      error = Text.orEmpty(error);
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public SyncBlocksResult(long syncedCount, long lastSyncedBlock, String error, long lastExecutedGei) {
      this(syncedCount, lastSyncedBlock, error, lastExecutedGei, UnknownFields.EMPTY);
    }

    /** G2's fields 1-3. */
    public SyncBlocksResult(long syncedCount, long lastSyncedBlock, String error) {
      this(syncedCount, lastSyncedBlock, error, 0);
    }

    @Override
    public String toString() {
      return ResponseSchemas.SYNC_BLOCKS_RESULT.toString(this);
    }
  }

  /**
   * Field 30, force_commit_response (G3): the answer to {@code force_commit_request}; its further fields are kept as unknown
   *
   * @param success field 1
   * @param unknownFields fields this version does not know, kept
   */
  record ForceCommitResult(boolean success, UnknownFields unknownFields) implements Response {
    /** Null strings and lists become empty, null unknown fields none. */
    public ForceCommitResult {
      unknownFields = UnknownFields.orEmpty(unknownFields);
    }

    /** Without unknown fields. */
    public ForceCommitResult(boolean success) {
      this(success, UnknownFields.EMPTY);
    }

    @Override
    public String toString() {
      return ResponseSchemas.FORCE_COMMIT_RESULT.toString(this);
    }
  }
}
