package io.peerlink.discovery.core.protocol;

import java.util.Arrays;

/**
 * One transaction of a committed block, on the block channel. Immutable: the digest is copied in
 * and out; null is taken as empty.
 *
 * @param digest field 1
 * @param workerId field 2, a uint32 carried in an {@code int}
 */
public record TransactionExe(byte[] digest, int workerId) {

  private static final byte[] EMPTY = new byte[0];

  /** Copies the digest; null becomes empty. */
  public TransactionExe {
    digest = digest == null || digest.length == 0 ? EMPTY : digest.clone();
  }

  /** A copy of field 1. */
  @Override
  public byte[] digest() {
    return digest.length == 0 ? EMPTY : digest.clone();
  }

  /** The protobuf bytes. */
  public byte[] encode() {
    WireWriter w = WireWriter.ofSize(bodySize());
    writeBody(w);
    return w.finish();
  }

  /**
   * Parses protobuf bytes; unknown fields are skipped.
   *
   * @throws ProtocolException when the bytes are truncated or malformed
   */
  public static TransactionExe decode(byte[] bytes) throws ProtocolException {
    return read(new WireReader(bytes));
  }

  int bodySize() {
    return WireWriter.bytesSize(1, digest) + WireWriter.uint32Size(2, workerId);
  }

  void writeBody(WireWriter w) {
    w.bytes(1, digest);
    w.uint32(2, workerId);
  }

  static TransactionExe read(WireReader r) throws ProtocolException {
    byte[] digest = EMPTY;
    int workerId = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = WireReader.fieldOf(tag);
      int wt = WireReader.wireTypeOf(tag);
      if (field == 1 && wt == WireWriter.LEN) {
        digest = r.readBytes();
      } else if (field == 2 && wt == WireWriter.VARINT) {
        workerId = (int) r.readVarint(); // uint32: the low 32 bits, as protobuf-java and Go keep them
      } else {
        r.skip(tag);
      }
    }
    return new TransactionExe(digest, workerId);
  }

  /** Equal when the digests have equal content and the worker ids are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TransactionExe && ((TransactionExe) o).workerId == workerId
        && Arrays.equals(((TransactionExe) o).digest, digest);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(digest) + workerId;
  }

  @Override
  public String toString() {
    return "TransactionExe[digest=" + Text.hex(digest) + ", workerId=" + Text.u32(workerId) + "]";
  }
}
