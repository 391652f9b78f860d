package io.peerlink.discovery.core.protocol;

import java.util.Arrays;

/**
 * One transaction of a committed block, on the block channel. Immutable: the digest is copied in
 * and out; null is taken as empty.
 *
 * @param digest field 1
 * @param workerId field 2, a uint32 carried in an {@code int}
 * @param unknownFields fields this version does not know, kept
 */
public record TransactionExe(byte[] digest, int workerId, UnknownFields unknownFields) {

  static final Schema<TransactionExe> SCHEMA = Schema.<TransactionExe>message("TransactionExe",
          TransactionExe::unknownFields)
      .bytes(1, "digest", t -> t.digest)
      .u32(2, "worker_id", TransactionExe::workerId)
      .build(v -> new TransactionExe(v.bytes(0), v.u32(1), v.unknown()));

  /** Copies the digest; null becomes empty. */
  public TransactionExe {
    digest = digest == null || digest.length == 0 ? UnknownFields.NO_BYTES : digest.clone();
    unknownFields = UnknownFields.orEmpty(unknownFields);
  }

  /** Without unknown fields. */
  public TransactionExe(byte[] digest, int workerId) {
    this(digest, workerId, UnknownFields.EMPTY);
  }

  /** A copy of field 1. */
  @Override
  public byte[] digest() {
    return digest.length == 0 ? UnknownFields.NO_BYTES : digest.clone();
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
  public static TransactionExe decode(byte[] bytes) throws ProtocolException {
    return SCHEMA.decode(bytes);
  }

  /** Equal when the digests have equal content and the other fields are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TransactionExe && ((TransactionExe) o).workerId == workerId
        && Arrays.equals(((TransactionExe) o).digest, digest) && ((TransactionExe) o).unknownFields.equals(unknownFields);
  }

  @Override
  public int hashCode() {
    return (31 * Arrays.hashCode(digest) + workerId) * 31 + unknownFields.hashCode();
  }

  @Override
  public String toString() {
    return SCHEMA.toString(this);
  }
}
