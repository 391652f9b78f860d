package io.peerlink.discovery.core.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One commit, as the node sends it to its master on the block channel (uvarint framing). G1 has
 * fields 1-5, G2 adds 6 and 7. Immutable: the leader address is copied in and out.
 *
 * @param blocks field 1, repeated; copied into an unmodifiable list
 * @param globalExecIndex field 2: increases by one per commit across epochs, never resets
 * @param commitIndex field 3, the epoch-local commit index, a uint32 carried in an {@code int}
 * @param epoch field 4, the commit's epoch (0 from a node that does not send it)
 * @param commitTimestampMs field 5, the consensus timestamp: the block's time (0 when not sent)
 * @param leaderAuthorIndex field 6 (G2), a uint32 carried in an {@code int}
 * @param leaderAddress field 7 (G2)
 * @param unknownFields fields this version does not know, kept
 */
public record CommittedEpochData(List<CommittedBlock> blocks, long globalExecIndex, int commitIndex, long epoch,
    long commitTimestampMs, int leaderAuthorIndex, byte[] leaderAddress, UnknownFields unknownFields) {

  static final Schema<CommittedEpochData> SCHEMA = Schema.<CommittedEpochData>message("CommittedEpochData",
          CommittedEpochData::unknownFields)
      .messages(1, "blocks", CommittedEpochData::blocks, CommittedBlock.SCHEMA)
      .u64(2, "global_exec_index", CommittedEpochData::globalExecIndex)
      .u32(3, "commit_index", CommittedEpochData::commitIndex)
      .u64(4, "epoch", CommittedEpochData::epoch)
      .u64(5, "commit_timestamp_ms", CommittedEpochData::commitTimestampMs)
      .u32(6, "leader_author_index", CommittedEpochData::leaderAuthorIndex)
      .bytes(7, "leader_address", c -> c.leaderAddress)
      .build(v -> new CommittedEpochData(v.list(0), v.u64(1), v.u32(2), v.u64(3), v.u64(4), v.u32(5), v.bytes(6),
          v.unknown()));

  /** Copies the list and the address; null becomes empty. */
  public CommittedEpochData {
    blocks = blocks == null ? List.of() : List.copyOf(blocks);
    leaderAddress = leaderAddress == null || leaderAddress.length == 0 ? UnknownFields.NO_BYTES : leaderAddress.clone();
    unknownFields = UnknownFields.orEmpty(unknownFields);
  }

  /** A commit of fields 1-3 only, as the oldest nodes send it. */
  public CommittedEpochData(List<CommittedBlock> blocks, long globalExecIndex, int commitIndex) {
    this(blocks, globalExecIndex, commitIndex, 0, 0, 0, null, UnknownFields.EMPTY);
  }

  /** A G1 commit: fields 1-5. */
  public CommittedEpochData(List<CommittedBlock> blocks, long globalExecIndex, int commitIndex, long epoch,
      long commitTimestampMs) {
    this(blocks, globalExecIndex, commitIndex, epoch, commitTimestampMs, 0, null, UnknownFields.EMPTY);
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
   * Parses protobuf bytes; unknown fields are kept. It does not tell a G3 {@link ExecutableBlock}
   * from a commit: {@link BlockChannelMessage#kindOf} does.
   *
   * @throws ProtocolException when the bytes are truncated or malformed
   */
  public static CommittedEpochData decode(byte[] bytes) throws ProtocolException {
    return SCHEMA.decode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CommittedEpochData)) {
      return false;
    }
    CommittedEpochData c = (CommittedEpochData) o;
    return blocks.equals(c.blocks) && globalExecIndex == c.globalExecIndex && commitIndex == c.commitIndex
        && epoch == c.epoch && commitTimestampMs == c.commitTimestampMs && leaderAuthorIndex == c.leaderAuthorIndex
        && Arrays.equals(leaderAddress, c.leaderAddress) && unknownFields.equals(c.unknownFields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(blocks, globalExecIndex, commitIndex, epoch, commitTimestampMs, leaderAuthorIndex,
        Arrays.hashCode(leaderAddress), unknownFields);
  }

  @Override
  public String toString() {
    return SCHEMA.toString(this);
  }
}
