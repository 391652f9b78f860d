package io.peerlink.discovery.core.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * One block of a commit, on the block channel.
 *
 * @param epoch field 1
 * @param height field 2
 * @param transactions field 3, repeated; copied into an unmodifiable list
 */
public record CommittedBlock(long epoch, long height, List<TransactionExe> transactions) {

  /** Copies the list; null becomes empty. */
  public CommittedBlock {
    transactions = transactions == null ? List.of() : List.copyOf(transactions);
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
  public static CommittedBlock decode(byte[] bytes) throws ProtocolException {
    return read(new WireReader(bytes));
  }

  int bodySize() {
    long size = WireWriter.uint64Size(1, epoch) + WireWriter.uint64Size(2, height);
    for (TransactionExe t : transactions) {
      size += WireWriter.lenFieldSize(3, t.bodySize());
    }
    return WireWriter.checkedSize(size);
  }

  void writeBody(WireWriter w) {
    w.uint64(1, epoch);
    w.uint64(2, height);
    for (TransactionExe t : transactions) {
      w.lenHeader(3, t.bodySize());
      t.writeBody(w);
    }
  }

  static CommittedBlock read(WireReader r) throws ProtocolException {
    long epoch = 0;
    long height = 0;
    List<TransactionExe> transactions = new ArrayList<>();
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = WireReader.fieldOf(tag);
      int wt = WireReader.wireTypeOf(tag);
      if (field == 1 && wt == WireWriter.VARINT) {
        epoch = r.readVarint();
      } else if (field == 2 && wt == WireWriter.VARINT) {
        height = r.readVarint();
      } else if (field == 3 && wt == WireWriter.LEN) {
        transactions.add(TransactionExe.read(r.readMessage()));
      } else {
        r.skip(tag);
      }
    }
    return new CommittedBlock(epoch, height, transactions);
  }

  @Override
  public String toString() {
    return "CommittedBlock[epoch=" + Text.u64(epoch) + ", height=" + Text.u64(height)
        + ", transactions=" + transactions + "]";
  }
}
