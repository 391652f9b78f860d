package io.peerlink.discovery.core.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * One executed block, as {@code get_blocks_range} returns and {@code sync_blocks} takes it.
 * Immutable: the byte arrays are copied in and out; a null array is taken as empty. uint64 values
 * are carried in {@code long} (compare with {@link Long#compareUnsigned}).
 *
 * @param blockNumber field 1, the block's {@code global_exec_index}
 * @param blockHash field 2
 * @param epoch field 3
 * @param timestampMs field 4, ms since the Unix epoch
 * @param parentHash field 5, the previous block's hash
 * @param stateRoot field 6
 * @param transactionsRoot field 7
 * @param receiptsRoot field 8
 * @param gasUsed field 9
 * @param gasLimit field 10
 * @param extraData field 11
 */
public record BlockData(long blockNumber, byte[] blockHash, long epoch, long timestampMs,
    byte[] parentHash, byte[] stateRoot, byte[] transactionsRoot, byte[] receiptsRoot,
    long gasUsed, long gasLimit, byte[] extraData) {

  private static final byte[] EMPTY = new byte[0];

  /** Copies the arrays; null becomes empty. */
  public BlockData {
    blockHash = copy(blockHash);
    parentHash = copy(parentHash);
    stateRoot = copy(stateRoot);
    transactionsRoot = copy(transactionsRoot);
    receiptsRoot = copy(receiptsRoot);
    extraData = copy(extraData);
  }

  private static byte[] copy(byte[] b) {
    return b == null || b.length == 0 ? EMPTY : b.clone();
  }

  /** A copy of field 2. */
  @Override
  public byte[] blockHash() {
    return copy(blockHash);
  }

  /** A copy of field 5. */
  @Override
  public byte[] parentHash() {
    return copy(parentHash);
  }

  /** A copy of field 6. */
  @Override
  public byte[] stateRoot() {
    return copy(stateRoot);
  }

  /** A copy of field 7. */
  @Override
  public byte[] transactionsRoot() {
    return copy(transactionsRoot);
  }

  /** A copy of field 8. */
  @Override
  public byte[] receiptsRoot() {
    return copy(receiptsRoot);
  }

  /** A copy of field 11. */
  @Override
  public byte[] extraData() {
    return copy(extraData);
  }

  /** Whether this block's parent hash equals {@code previous}'s block hash, without copying. */
  public boolean followsHash(BlockData previous) {
    return Arrays.equals(parentHash, previous.blockHash);
  }

  /** The length of {@link #encode()}, computed without encoding. */
  public int encodedSize() {
    return bodySize();
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
  public static BlockData decode(byte[] bytes) throws ProtocolException {
    return read(new WireReader(bytes));
  }

  int bodySize() {
    return WireWriter.uint64Size(1, blockNumber)
        + WireWriter.bytesSize(2, blockHash)
        + WireWriter.uint64Size(3, epoch)
        + WireWriter.uint64Size(4, timestampMs)
        + WireWriter.bytesSize(5, parentHash)
        + WireWriter.bytesSize(6, stateRoot)
        + WireWriter.bytesSize(7, transactionsRoot)
        + WireWriter.bytesSize(8, receiptsRoot)
        + WireWriter.uint64Size(9, gasUsed)
        + WireWriter.uint64Size(10, gasLimit)
        + WireWriter.bytesSize(11, extraData);
  }

  void writeBody(WireWriter w) {
    w.uint64(1, blockNumber);
    w.bytes(2, blockHash);
    w.uint64(3, epoch);
    w.uint64(4, timestampMs);
    w.bytes(5, parentHash);
    w.bytes(6, stateRoot);
    w.bytes(7, transactionsRoot);
    w.bytes(8, receiptsRoot);
    w.uint64(9, gasUsed);
    w.uint64(10, gasLimit);
    w.bytes(11, extraData);
  }

  static BlockData read(WireReader r) throws ProtocolException {
    long blockNumber = 0;
    long epoch = 0;
    long timestampMs = 0;
    long gasUsed = 0;
    long gasLimit = 0;
    byte[] blockHash = EMPTY;
    byte[] parentHash = EMPTY;
    byte[] stateRoot = EMPTY;
    byte[] transactionsRoot = EMPTY;
    byte[] receiptsRoot = EMPTY;
    byte[] extraData = EMPTY;
    while (r.hasMore()) {
      int tag = r.readTag();
      int wt = WireReader.wireTypeOf(tag);
      int field = WireReader.fieldOf(tag);
      boolean varint = wt == WireWriter.VARINT;
      boolean len = wt == WireWriter.LEN;
      if (field == 1 && varint) {
        blockNumber = r.readVarint();
      } else if (field == 2 && len) {
        blockHash = r.readBytes();
      } else if (field == 3 && varint) {
        epoch = r.readVarint();
      } else if (field == 4 && varint) {
        timestampMs = r.readVarint();
      } else if (field == 5 && len) {
        parentHash = r.readBytes();
      } else if (field == 6 && len) {
        stateRoot = r.readBytes();
      } else if (field == 7 && len) {
        transactionsRoot = r.readBytes();
      } else if (field == 8 && len) {
        receiptsRoot = r.readBytes();
      } else if (field == 9 && varint) {
        gasUsed = r.readVarint();
      } else if (field == 10 && varint) {
        gasLimit = r.readVarint();
      } else if (field == 11 && len) {
        extraData = r.readBytes();
      } else {
        r.skip(tag);
      }
    }
    return new BlockData(blockNumber, blockHash, epoch, timestampMs, parentHash, stateRoot, transactionsRoot,
        receiptsRoot, gasUsed, gasLimit, extraData);
  }

  /** Equal when every field is, byte arrays by content. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BlockData)) {
      return false;
    }
    BlockData b = (BlockData) o;
    return blockNumber == b.blockNumber && epoch == b.epoch && timestampMs == b.timestampMs
        && gasUsed == b.gasUsed && gasLimit == b.gasLimit
        && Arrays.equals(blockHash, b.blockHash) && Arrays.equals(parentHash, b.parentHash)
        && Arrays.equals(stateRoot, b.stateRoot) && Arrays.equals(transactionsRoot, b.transactionsRoot)
        && Arrays.equals(receiptsRoot, b.receiptsRoot) && Arrays.equals(extraData, b.extraData);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(blockNumber, epoch, timestampMs, gasUsed, gasLimit);
    h = 31 * h + Arrays.hashCode(blockHash);
    h = 31 * h + Arrays.hashCode(parentHash);
    h = 31 * h + Arrays.hashCode(stateRoot);
    h = 31 * h + Arrays.hashCode(transactionsRoot);
    h = 31 * h + Arrays.hashCode(receiptsRoot);
    return 31 * h + Arrays.hashCode(extraData);
  }

  @Override
  public String toString() {
    return "BlockData[blockNumber=" + Text.u64(blockNumber) + ", blockHash=" + Text.hex(blockHash)
        + ", epoch=" + Text.u64(epoch) + ", timestampMs=" + Text.u64(timestampMs)
        + ", parentHash=" + Text.hex(parentHash) + ", stateRoot=" + Text.hex(stateRoot)
        + ", transactionsRoot=" + Text.hex(transactionsRoot) + ", receiptsRoot=" + Text.hex(receiptsRoot)
        + ", gasUsed=" + Text.u64(gasUsed) + ", gasLimit=" + Text.u64(gasLimit)
        + ", extraData=" + Text.hex(extraData) + "]";
  }
}
