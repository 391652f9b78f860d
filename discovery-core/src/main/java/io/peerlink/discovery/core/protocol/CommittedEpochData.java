package io.peerlink.discovery.core.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * One commit, as the node sends it to its master on the block channel (uvarint framing).
 *
 * @param blocks field 1, repeated; copied into an unmodifiable list
 * @param globalExecIndex field 2: increases by one per commit across epochs, never resets
 * @param commitIndex field 3, a uint32 carried in an {@code int}
 */
public record CommittedEpochData(List<CommittedBlock> blocks, long globalExecIndex, int commitIndex) {

  /** Copies the list; null becomes empty. */
  public CommittedEpochData {
    blocks = blocks == null ? List.of() : List.copyOf(blocks);
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
  public static CommittedEpochData decode(byte[] bytes) throws ProtocolException {
    WireReader r = new WireReader(bytes);
    List<CommittedBlock> blocks = new ArrayList<>();
    long globalExecIndex = 0;
    int commitIndex = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = WireReader.fieldOf(tag);
      int wt = WireReader.wireTypeOf(tag);
      if (field == 1 && wt == WireWriter.LEN) {
        blocks.add(CommittedBlock.read(r.readMessage()));
      } else if (field == 2 && wt == WireWriter.VARINT) {
        globalExecIndex = r.readVarint();
      } else if (field == 3 && wt == WireWriter.VARINT) {
        commitIndex = (int) r.readVarint(); // uint32: the low 32 bits, as protobuf-java and Go keep them
      } else {
        r.skip(tag);
      }
    }
    return new CommittedEpochData(blocks, globalExecIndex, commitIndex);
  }

  int bodySize() {
    long size = WireWriter.uint64Size(2, globalExecIndex) + WireWriter.uint32Size(3, commitIndex);
    for (CommittedBlock b : blocks) {
      size += WireWriter.lenFieldSize(1, b.bodySize());
    }
    return WireWriter.checkedSize(size);
  }

  void writeBody(WireWriter w) {
    for (CommittedBlock b : blocks) {
      w.lenHeader(1, b.bodySize());
      b.writeBody(w);
    }
    w.uint64(2, globalExecIndex);
    w.uint32(3, commitIndex);
  }

  @Override
  public String toString() {
    return "CommittedEpochData[globalExecIndex=" + Text.u64(globalExecIndex) + ", commitIndex="
        + Text.u32(commitIndex) + ", blocks=" + blocks + "]";
  }
}
