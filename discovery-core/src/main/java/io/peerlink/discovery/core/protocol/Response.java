package io.peerlink.discovery.core.protocol;

import java.util.List;

/**
 * A query-channel response: the seed's {@code Response} message, a {@code oneof payload} whose
 * field number matches the request's ({@link Error} aside, which answers any call).
 */
public sealed interface Response {

  /** The oneof field number, e.g. 6 for {@code get_current_epoch_response}. */
  int fieldNumber();

  /** The seed's field name, e.g. {@code get_current_epoch_response}. */
  String fieldName();

  /** The protobuf bytes: one oneof field, written even when its value is empty. */
  default byte[] encode() {
    return Messages.encode(this);
  }

  /**
   * Parses protobuf bytes. Unknown fields are skipped. As in protobuf, the last payload present
   * wins, and a payload present twice is merged.
   *
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

    @Override
    public int fieldNumber() {
      return 4;
    }

    @Override
    public String fieldName() {
      return "error";
    }
  }

  /**
   * Field 5: the last executed block (the last applied {@code global_exec_index}).
   *
   * @param lastBlockNumber field 1
   */
  record LastBlockNumber(long lastBlockNumber) implements Response {
    @Override
    public int fieldNumber() {
      return 5;
    }

    @Override
    public String fieldName() {
      return "last_block_number_response";
    }

    @Override
    public String toString() {
      return "LastBlockNumber[lastBlockNumber=" + Text.u64(lastBlockNumber) + "]";
    }
  }

  /**
   * Field 6: the current epoch.
   *
   * @param epoch field 1
   */
  record CurrentEpoch(long epoch) implements Response {
    @Override
    public int fieldNumber() {
      return 6;
    }

    @Override
    public String fieldName() {
      return "get_current_epoch_response";
    }

    @Override
    public String toString() {
      return "CurrentEpoch[epoch=" + Text.u64(epoch) + "]";
    }
  }

  /**
   * Field 7: the start of the current epoch.
   *
   * @param timestampMs field 1, ms since the Unix epoch
   */
  record EpochStartTimestamp(long timestampMs) implements Response {
    @Override
    public int fieldNumber() {
      return 7;
    }

    @Override
    public String fieldName() {
      return "get_epoch_start_timestamp_response";
    }

    @Override
    public String toString() {
      return "EpochStartTimestamp[timestampMs=" + Text.u64(timestampMs) + "]";
    }
  }

  /**
   * Field 8: the epoch the master moved to.
   *
   * @param newEpoch field 1
   * @param epochStartTimestampMs field 2
   */
  record AdvanceEpochResult(long newEpoch, long epochStartTimestampMs) implements Response {
    @Override
    public int fieldNumber() {
      return 8;
    }

    @Override
    public String fieldName() {
      return "advance_epoch_response";
    }

    @Override
    public String toString() {
      return "AdvanceEpochResult[newEpoch=" + Text.u64(newEpoch) + ", epochStartTimestampMs="
          + Text.u64(epochStartTimestampMs) + "]";
    }
  }

  /**
   * Field 21: the blocks of a range.
   *
   * @param blocks field 1, repeated; copied into an unmodifiable list
   * @param count field 2, the number of blocks
   * @param error field 3, empty when the call succeeded; null becomes empty
   */
  record BlocksRange(List<BlockData> blocks, long count, String error) implements Response {
    /** Copies the list; null becomes empty, as does a null error. */
    public BlocksRange {
      blocks = blocks == null ? List.of() : List.copyOf(blocks);
      error = error == null ? "" : error;
    }

    /** A successful answer: the blocks and their count. */
    public static BlocksRange of(List<BlockData> blocks) {
      return new BlocksRange(blocks, blocks.size(), "");
    }

    @Override
    public int fieldNumber() {
      return 21;
    }

    @Override
    public String fieldName() {
      return "get_blocks_range_response";
    }

    @Override
    public String toString() {
      return "BlocksRange[count=" + Text.u64(count) + ", error=" + error + ", blocks=" + blocks + "]";
    }
  }

  /**
   * Field 22: what the master did with blocks handed to it.
   *
   * @param syncedCount field 1
   * @param lastSyncedBlock field 2
   * @param error field 3, empty when the call succeeded; null becomes empty
   */
  record SyncBlocksResult(long syncedCount, long lastSyncedBlock, String error) implements Response {
    /** A null error becomes empty. */
    public SyncBlocksResult {
      error = error == null ? "" : error;
    }

    @Override
    public int fieldNumber() {
      return 22;
    }

    @Override
    public String fieldName() {
      return "sync_blocks_response";
    }

    @Override
    public String toString() {
      return "SyncBlocksResult[syncedCount=" + Text.u64(syncedCount) + ", lastSyncedBlock="
          + Text.u64(lastSyncedBlock) + ", error=" + error + "]";
    }
  }
}
