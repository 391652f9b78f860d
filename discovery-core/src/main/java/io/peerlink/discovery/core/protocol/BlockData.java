package io.peerlink.discovery.core.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One executed block, as {@code get_blocks_range} returns and {@code sync_blocks} takes it.
 * Immutable: byte arrays are copied in and out; a null array is taken as empty. uint64 values are
 * carried in {@code long} (compare with {@link Long#compareUnsigned}).
 *
 * <p>A decoded block keeps the exact bytes it was read from and {@link #encode()} writes them
 * back unchanged: fields 12 and 13, fields this version does not know, and their order all pass
 * through a node byte for byte. Fields 12 and 13 are held as views of those bytes, not copies.
 * A block of a {@code get_blocks_range} answer decoded by {@link Response#decode} holds those bytes
 * as a view of the answer's frame itself, not a copy (issue 15): a received block costs neither
 * a copy nor an object of its own size, and keeps its answer's frame alive for as long as it is
 * held (see {@link Response#decode}). {@link #decode} copies the bytes it keeps: its caller may
 * reuse its array. Equality compares the fields (unknown ones included), not how they were
 * ordered on the wire.
 *
 * <p>Fields: 1 {@code block_number} (the block's {@code global_exec_index}), 2 {@code block_hash},
 * 3 {@code epoch}, 4 {@code timestamp_ms} (the consensus timestamp), 5 {@code parent_hash}, 6
 * {@code state_root}, 7 {@code transactions_root}, 8 {@code receipts_root}, 9 {@code gas_used}, 10
 * {@code gas_limit}, 11 {@code extra_data}, 12 {@code raw_block_bytes} (the block as the Go master
 * stores it), 13 {@code backup_data} (state a syncing Go master needs).
 */
public final class BlockData {

  static final Schema<BlockData> SCHEMA = Schema.<BlockData>message("BlockData", b -> b.unknownFields)
      .u64(1, "block_number", b -> b.blockNumber)
      .bytes(2, "block_hash", b -> b.blockHash)
      .u64(3, "epoch", b -> b.epoch)
      .u64(4, "timestamp_ms", b -> b.timestampMs)
      .bytes(5, "parent_hash", b -> b.parentHash)
      .bytes(6, "state_root", b -> b.stateRoot)
      .bytes(7, "transactions_root", b -> b.transactionsRoot)
      .bytes(8, "receipts_root", b -> b.receiptsRoot)
      .u64(9, "gas_used", b -> b.gasUsed)
      .u64(10, "gas_limit", b -> b.gasLimit)
      .bytes(11, "extra_data", b -> b.extraData)
      .slice(12, "raw_block_bytes", b -> b.rawBlockBytes)
      .slice(13, "backup_data", b -> b.backupData)
      .retaining(b -> b.encoded)
      .build(v -> new BlockData(v.u64(0), v.bytes(1), v.u64(2), v.u64(3), v.bytes(4), v.bytes(5), v.bytes(6),
          v.bytes(7), v.u64(8), v.u64(9), v.bytes(10), v.slice(11), v.slice(12), v.unknown(), v.retained(), false));

  private final long blockNumber;
  private final byte[] blockHash;
  private final long epoch;
  private final long timestampMs;
  private final byte[] parentHash;
  private final byte[] stateRoot;
  private final byte[] transactionsRoot;
  private final byte[] receiptsRoot;
  private final long gasUsed;
  private final long gasLimit;
  private final byte[] extraData;
  private final ByteSlice rawBlockBytes;
  private final ByteSlice backupData;
  private final UnknownFields unknownFields;
  /**
   * The bytes this block was decoded from, written back as they were: a copy, or a view of an
   * owned frame ({@link WireReader#keep}); null for a built block.
   */
  private final ByteSlice encoded;

  /** A block of G1/G2 fields 1-11 (fields 12 and 13 empty). */
  public BlockData(long blockNumber, byte[] blockHash, long epoch, long timestampMs, byte[] parentHash,
      byte[] stateRoot, byte[] transactionsRoot, byte[] receiptsRoot, long gasUsed, long gasLimit, byte[] extraData) {
    this(blockNumber, blockHash, epoch, timestampMs, parentHash, stateRoot, transactionsRoot, receiptsRoot, gasUsed,
        gasLimit, extraData, null, null, UnknownFields.EMPTY);
  }

  /** A block of every field; the arrays are copied, null is empty. */
  public BlockData(long blockNumber, byte[] blockHash, long epoch, long timestampMs, byte[] parentHash,
      byte[] stateRoot, byte[] transactionsRoot, byte[] receiptsRoot, long gasUsed, long gasLimit, byte[] extraData,
      byte[] rawBlockBytes, byte[] backupData, UnknownFields unknownFields) {
    this(blockNumber, copy(blockHash), epoch, timestampMs, copy(parentHash), copy(stateRoot), copy(transactionsRoot),
        copy(receiptsRoot), gasUsed, gasLimit, copy(extraData), ByteSlice.copyOf(rawBlockBytes), ByteSlice.copyOf(backupData), unknownFields,
        null, false);
  }

  // Takes the arrays as they are: the decoder's are fresh, its slices view the encoding it keeps.
  private BlockData(long blockNumber, byte[] blockHash, long epoch, long timestampMs, byte[] parentHash,
      byte[] stateRoot, byte[] transactionsRoot, byte[] receiptsRoot, long gasUsed, long gasLimit, byte[] extraData,
      ByteSlice rawBlockBytes, ByteSlice backupData, UnknownFields unknownFields, ByteSlice encoded, boolean unused) {
    this.blockNumber = blockNumber;
    this.blockHash = blockHash;
    this.epoch = epoch;
    this.timestampMs = timestampMs;
    this.parentHash = parentHash;
    this.stateRoot = stateRoot;
    this.transactionsRoot = transactionsRoot;
    this.receiptsRoot = receiptsRoot;
    this.gasUsed = gasUsed;
    this.gasLimit = gasLimit;
    this.extraData = extraData;
    this.rawBlockBytes = rawBlockBytes;
    this.backupData = backupData;
    this.unknownFields = UnknownFields.orEmpty(unknownFields);
    this.encoded = encoded;
  }

  private static byte[] copy(byte[] b) {
    return b == null || b.length == 0 ? UnknownFields.NO_BYTES : b.clone();
  }

  /** Field 1. */
  public long blockNumber() {
    return blockNumber;
  }

  /** Field 2, a copy. */
  public byte[] blockHash() {
    return copy(blockHash);
  }

  /** Field 3. */
  public long epoch() {
    return epoch;
  }

  /** Field 4, ms since the Unix epoch. */
  public long timestampMs() {
    return timestampMs;
  }

  /** Field 5, a copy. */
  public byte[] parentHash() {
    return copy(parentHash);
  }

  /** Field 6, a copy. */
  public byte[] stateRoot() {
    return copy(stateRoot);
  }

  /** Field 7, a copy. */
  public byte[] transactionsRoot() {
    return copy(transactionsRoot);
  }

  /** Field 8, a copy. */
  public byte[] receiptsRoot() {
    return copy(receiptsRoot);
  }

  /** Field 9. */
  public long gasUsed() {
    return gasUsed;
  }

  /** Field 10. */
  public long gasLimit() {
    return gasLimit;
  }

  /** Field 11, a copy. */
  public byte[] extraData() {
    return copy(extraData);
  }

  /** Field 12 (G2), a copy. */
  public byte[] rawBlockBytes() {
    return rawBlockBytes.toArray();
  }

  /** Field 13 (G2), a copy. */
  public byte[] backupData() {
    return backupData.toArray();
  }

  /** Fields this version does not know. */
  public UnknownFields unknownFields() {
    return unknownFields;
  }

  /** Whether field 12 ({@code raw_block_bytes}) is present: a Go master skips a block without it. */
  public boolean hasRawBlockBytes() {
    return rawBlockBytes.length() > 0;
  }

  /** Whether this block's parent hash equals {@code previous}'s block hash, without copying. */
  public boolean followsHash(BlockData previous) {
    return Arrays.equals(parentHash, previous.blockHash);
  }

  /** The length of {@link #encode()}, computed without encoding. */
  public int encodedSize() {
    return WireWriter.checkedSize(SCHEMA.bodySize(this));
  }

  /** The protobuf bytes: for a decoded block, exactly the bytes it was decoded from. */
  public byte[] encode() {
    return encoded != null ? encoded.toArray() : SCHEMA.encode(this);
  }

  /**
   * Writes {@link #encode()}'s bytes, {@link #encodedSize()} of them, into {@code out} at its
   * position: a decoded block's bytes go straight in, without the copy {@code encode()} makes, so a
   * store can write a block's bytes into its record buffer once.
   *
   * @throws java.nio.BufferOverflowException when {@code out} has less room than {@link #encodedSize()}
   */
  public void encodeTo(ByteBuffer out) {
    if (encoded != null) {
      encoded.putTo(out);
    } else {
      out.put(SCHEMA.encode(this));
    }
  }

  /** The bytes this block was decoded from, as held (tests: a view of the frame or a copy); null for a built block. */
  ByteSlice encoding() {
    return encoded;
  }

  /**
   * Parses protobuf bytes; unknown fields are kept, and a copy of the bytes themselves (see the
   * class comment): the caller may change or reuse {@code bytes} afterwards.
   *
   * @throws ProtocolException when the bytes are truncated or malformed
   */
  public static BlockData decode(byte[] bytes) throws ProtocolException {
    return SCHEMA.decode(bytes);
  }

  /** Equal when every field is, byte arrays and unknown fields by content. */
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
        && Arrays.equals(receiptsRoot, b.receiptsRoot) && Arrays.equals(extraData, b.extraData)
        && rawBlockBytes.equals(b.rawBlockBytes) && backupData.equals(b.backupData)
        && unknownFields.equals(b.unknownFields);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(blockNumber, epoch, timestampMs, gasUsed, gasLimit, unknownFields);
    for (byte[] b : new byte[][] {blockHash, parentHash, stateRoot, transactionsRoot, receiptsRoot, extraData}) {
      h = 31 * h + Arrays.hashCode(b);
    }
    return 31 * (31 * h + rawBlockBytes.hashCode()) + backupData.hashCode();
  }

  @Override
  public String toString() {
    return SCHEMA.toString(this);
  }
}
