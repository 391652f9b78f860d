package io.peerlink.discovery.core.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * G3's block-channel message, sent instead of {@link CommittedEpochData} by the April Go master's
 * nodes: the commit's transactions flattened (deduplicated, sorted). Immutable.
 *
 * @param transactions field 1, repeated (another type than {@code CommittedEpochData}'s field 1)
 * @param globalExecIndex field 2
 * @param commitIndex field 3, a uint32 carried in an {@code int}
 * @param epoch field 4
 * @param commitTimestampMs field 5
 * @param leaderAuthorIndex field 6, a uint32 carried in an {@code int}
 * @param leaderAddress field 7
 * @param blockNumber field 8: G3's own block numbering (commits with transactions only)
 * @param unknownFields fields this version does not know, kept
 */
public record ExecutableBlock(List<TransactionExe> transactions, long globalExecIndex, int commitIndex, long epoch,
    long commitTimestampMs, int leaderAuthorIndex, byte[] leaderAddress, long blockNumber,
    UnknownFields unknownFields) {

  static final Schema<ExecutableBlock> SCHEMA = Schema.<ExecutableBlock>message("ExecutableBlock",
          ExecutableBlock::unknownFields)
      .messages(1, "transactions", ExecutableBlock::transactions, TransactionExe.SCHEMA)
      .u64(2, "global_exec_index", ExecutableBlock::globalExecIndex)
      .u32(3, "commit_index", ExecutableBlock::commitIndex)
      .u64(4, "epoch", ExecutableBlock::epoch)
      .u64(5, "commit_timestamp_ms", ExecutableBlock::commitTimestampMs)
      .u32(6, "leader_author_index", ExecutableBlock::leaderAuthorIndex)
      .bytes(7, "leader_address", e -> e.leaderAddress)
      .u64(8, "block_number", ExecutableBlock::blockNumber)
      .build(v -> new ExecutableBlock(v.list(0), v.u64(1), v.u32(2), v.u64(3), v.u64(4), v.u32(5), v.bytes(6),
          v.u64(7), v.unknown()));

  /** Copies the list and the address; null becomes empty. */
  public ExecutableBlock {
    transactions = transactions == null ? List.of() : List.copyOf(transactions);
    leaderAddress = leaderAddress == null || leaderAddress.length == 0 ? UnknownFields.NO_BYTES : leaderAddress.clone();
    unknownFields = UnknownFields.orEmpty(unknownFields);
  }

  /** A copy of field 7. */
  @Override
  public byte[] leaderAddress() {
    return leaderAddress.length == 0 ? UnknownFields.NO_BYTES : leaderAddress.clone();
  }

  /** The protobuf bytes. */
  public byte[] encode() {
    return SCHEMA.encode(this);
  }

  /**
   * Parses protobuf bytes; unknown fields are kept.
   *
   * @throws ProtocolException when the bytes are truncated or malformed
   */
  public static ExecutableBlock decode(byte[] bytes) throws ProtocolException {
    return SCHEMA.decode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ExecutableBlock)) {
      return false;
    }
    ExecutableBlock e = (ExecutableBlock) o;
    return transactions.equals(e.transactions) && globalExecIndex == e.globalExecIndex
        && commitIndex == e.commitIndex && epoch == e.epoch && commitTimestampMs == e.commitTimestampMs
        && leaderAuthorIndex == e.leaderAuthorIndex && Arrays.equals(leaderAddress, e.leaderAddress)
        && blockNumber == e.blockNumber && unknownFields.equals(e.unknownFields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(transactions, globalExecIndex, commitIndex, epoch, commitTimestampMs, leaderAuthorIndex,
        Arrays.hashCode(leaderAddress), blockNumber, unknownFields);
  }

  @Override
  public String toString() {
    return SCHEMA.toString(this);
  }
}
