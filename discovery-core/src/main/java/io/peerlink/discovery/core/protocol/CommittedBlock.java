package io.peerlink.discovery.core.protocol;

import java.util.List;

/**
 * One block of a commit, on the block channel.
 *
 * @param epoch field 1
 * @param height field 2
 * @param transactions field 3, repeated; copied into an unmodifiable list
 * @param unknownFields fields this version does not know, kept
 */
public record CommittedBlock(long epoch, long height, List<TransactionExe> transactions, UnknownFields unknownFields) {

  static final Schema<CommittedBlock> SCHEMA = Schema.<CommittedBlock>message("CommittedBlock",
          CommittedBlock::unknownFields)
      .u64(1, "epoch", CommittedBlock::epoch)
      .u64(2, "height", CommittedBlock::height)
      .messages(3, "transactions", CommittedBlock::transactions, TransactionExe.SCHEMA)
      .build(v -> new CommittedBlock(v.u64(0), v.u64(1), v.list(2), v.unknown()));

  /** Copies the list; null becomes empty. */
  public CommittedBlock {
    transactions = transactions == null ? List.of() : List.copyOf(transactions);
    unknownFields = UnknownFields.orEmpty(unknownFields);
  }

  /** Without unknown fields. */
  public CommittedBlock(long epoch, long height, List<TransactionExe> transactions) {
    this(epoch, height, transactions, UnknownFields.EMPTY);
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
  public static CommittedBlock decode(byte[] bytes) throws ProtocolException {
    return SCHEMA.decode(bytes);
  }

  @Override
  public String toString() {
    return SCHEMA.toString(this);
  }
}
