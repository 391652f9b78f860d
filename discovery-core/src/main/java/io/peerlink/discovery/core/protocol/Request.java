package io.peerlink.discovery.core.protocol;

import java.util.List;

/**
 * A query-channel request: the seed's {@code Request} message, a {@code oneof payload} whose
 * field number selects the call. One record per call this project serves; any other call of the
 * seed decodes as {@link Unsupported}, which a server answers with an {@code error} response.
 */
public sealed interface Request {

  /** The oneof field number of this call, e.g. 6 for {@code get_current_epoch_request}. */
  int fieldNumber();

  /** The seed's field name of this call, e.g. {@code get_current_epoch_request}. */
  String fieldName();

  /** The protobuf bytes: one oneof field, written even when its message is empty. */
  default byte[] encode() {
    return Messages.encode(this);
  }

  /**
   * Parses protobuf bytes. Unknown fields are skipped; when no known call is present, the last
   * unknown field number becomes {@link Unsupported}. As in protobuf, the last call present wins,
   * and a call present twice is merged.
   *
   * @throws ProtocolException when the bytes are truncated or malformed, or carry no field at all
   */
  static Request decode(byte[] bytes) throws ProtocolException {
    return Messages.decodeRequest(bytes);
  }

  /** Field 5: the last executed block ({@code last_block_number_response}). */
  record GetLastBlockNumber() implements Request {
    @Override
    public int fieldNumber() {
      return 5;
    }

    @Override
    public String fieldName() {
      return "get_last_block_number_request";
    }
  }

  /** Field 6: the current epoch. */
  record GetCurrentEpoch() implements Request {
    @Override
    public int fieldNumber() {
      return 6;
    }

    @Override
    public String fieldName() {
      return "get_current_epoch_request";
    }
  }

  /**
   * Field 7: the start of the current epoch. Older clients sent {@code {1: epoch}} in it; that is
   * accepted and ignored.
   */
  record GetEpochStartTimestamp() implements Request {
    @Override
    public int fieldNumber() {
      return 7;
    }

    @Override
    public String fieldName() {
      return "get_epoch_start_timestamp_request";
    }
  }

  /**
   * Field 8: move to a new epoch. A mutating call: served on the local socket only.
   *
   * @param newEpoch field 1
   * @param epochStartTimestampMs field 2
   * @param boundaryBlock field 3
   */
  record AdvanceEpoch(long newEpoch, long epochStartTimestampMs, long boundaryBlock) implements Request {
    @Override
    public int fieldNumber() {
      return 8;
    }

    @Override
    public String fieldName() {
      return "advance_epoch_request";
    }

    @Override
    public String toString() {
      return "AdvanceEpoch[newEpoch=" + Text.u64(newEpoch) + ", epochStartTimestampMs="
          + Text.u64(epochStartTimestampMs) + ", boundaryBlock=" + Text.u64(boundaryBlock) + "]";
    }
  }

  /**
   * Field 21: blocks {@code fromBlock..toBlock}, inclusive, for catch-up.
   *
   * @param fromBlock field 1
   * @param toBlock field 2
   */
  record GetBlocksRange(long fromBlock, long toBlock) implements Request {
    @Override
    public int fieldNumber() {
      return 21;
    }

    @Override
    public String fieldName() {
      return "get_blocks_range_request";
    }

    @Override
    public String toString() {
      return "GetBlocksRange[fromBlock=" + Text.u64(fromBlock) + ", toBlock=" + Text.u64(toBlock) + "]";
    }
  }

  /**
   * Field 22: hand blocks fetched from peers to the local master. A mutating call: served on the
   * local socket only.
   *
   * @param blocks field 1, repeated; copied into an unmodifiable list
   */
  record SyncBlocks(List<BlockData> blocks) implements Request {
    /** Copies the list; null becomes empty. */
    public SyncBlocks {
      blocks = blocks == null ? List.of() : List.copyOf(blocks);
    }

    @Override
    public int fieldNumber() {
      return 22;
    }

    @Override
    public String fieldName() {
      return "sync_blocks_request";
    }
  }

  /**
   * A call this project does not serve (another of the seed's calls, or a newer one). Encoded as
   * the field with an empty message.
   *
   * @param fieldNumber the oneof field number, 1 to 2^29-1, not one of the served calls
   */
  record Unsupported(int fieldNumber) implements Request {
    /** Checks the number is a valid field number and not a served call. */
    public Unsupported {
      if (fieldNumber < 1 || fieldNumber > Messages.MAX_FIELD_NUMBER) {
        throw new IllegalArgumentException("field number must be 1 to 2^29-1, got " + fieldNumber);
      }
      if (Messages.isServedRequest(fieldNumber)) {
        throw new IllegalArgumentException("field " + fieldNumber + " is a served call, not an unsupported one");
      }
    }

    @Override
    public String fieldName() {
      return "field " + fieldNumber;
    }
  }
}
