package io.peerlink.discovery.core.protocol;

/**
 * Tells the two messages of the block channel apart: G1/G2's {@link CommittedEpochData} and G3's
 * {@link ExecutableBlock}. Both are valid protobuf of each other's schema (field 1 is a repeated
 * message in both), so a reader expecting one would silently misread the other. The wire shows
 * which it is:
 * <ul>
 *   <li>field 8 ({@code block_number}) exists only in {@code ExecutableBlock};
 *   <li>an element of field 1 whose own field 1 is length-delimited is a {@code TransactionExe}
 *       ({@code digest}); one whose field 1 is a varint ({@code epoch}) or that has a field 3
 *       ({@code transactions}) is a {@code CommittedBlock}.
 * </ul>
 * A message with none of these marks (no blocks and no transactions, or only heights and worker
 * ids) reads the same under both schemas' common fields 2-7 and is {@link Kind#EITHER}.
 */
public final class BlockChannelMessage {

  /** What a block-channel frame is. */
  public enum Kind {
    /** G1/G2: a {@code CommittedEpochData}. */
    COMMITTED_EPOCH_DATA,
    /** G3: an {@code ExecutableBlock}. */
    EXECUTABLE_BLOCK,
    /** No mark of either; fields 2-7 mean the same in both. */
    EITHER
  }

  private BlockChannelMessage() {
  }

  /**
   * Which message {@code frame} is, by the marks in the class comment.
   *
   * @throws ProtocolException when the frame is malformed, or carries marks of both
   */
  public static Kind kindOf(byte[] frame) throws ProtocolException {
    boolean committed = false;
    boolean executable = false;
    WireReader r = new WireReader(frame);
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = WireReader.fieldOf(tag);
      int wt = WireReader.wireTypeOf(tag);
      if (field == 8 && wt == WireWriter.VARINT) {
        executable = true;
        r.readVarint();
      } else if (field == 1 && wt == WireWriter.LEN) {
        WireReader element = r.readMessage();
        while (element.hasMore()) {
          int inner = element.readTag();
          int innerField = WireReader.fieldOf(inner);
          int innerWt = WireReader.wireTypeOf(inner);
          if (innerField == 1 && innerWt == WireWriter.LEN) {
            executable = true;
          } else if (innerField == 1 && innerWt == WireWriter.VARINT || innerField == 3) {
            committed = true;
          }
          element.skip(inner);
        }
      } else {
        r.skip(tag);
      }
    }
    if (committed && executable) {
      throw new ProtocolException("block-channel message of " + frame.length + " bytes carries marks of both"
          + " CommittedEpochData (blocks) and ExecutableBlock (transactions or block_number)");
    }
    return committed ? Kind.COMMITTED_EPOCH_DATA : executable ? Kind.EXECUTABLE_BLOCK : Kind.EITHER;
  }
}
