package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.Response.SetConsensusStartBlockResult;
import io.peerlink.discovery.core.protocol.Response.SetSyncStartBlockResult;
import io.peerlink.discovery.core.protocol.Response.ValidatorInfoList;
import io.peerlink.discovery.core.server.MasterState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The read side of {@link ChainState}: every query of the master answered from the published
 * snapshot ({@link ChainHead}, {@link EpochBook}) or the store, never taking the write lock, plus
 * the calls that record nothing durable (the hand-off of requests 10 and 11, the waits of 12).
 */
abstract class ChainReads implements MasterState {

  final ChainStore store;
  final ChainOptions options;
  final LongSupplier clockMs;
  final EpochBook epochs;
  final BlockWaiters waiters = new BlockWaiters(this::lastBlockNumber);
  final ConsensusHandOff handOff = new ConsensusHandOff();
  private final long openedMs;
  volatile ChainHead head;
  volatile boolean closed;

  ChainReads(ChainStore store, ChainOptions options, LongSupplier clockMs, ChainHead head, EpochBook epochs) {
    this.store = store;
    this.options = options;
    this.clockMs = clockMs;
    this.head = head;
    this.epochs = epochs;
    this.openedMs = clockMs.getAsLong();
  }

  // ---- reads: a snapshot, no lock, no disk ----

  @Override
  public long currentEpoch() {
    return head.mark().epoch();
  }

  @Override
  public long lastBlockNumber() {
    return head.lastBlock();
  }

  @Override
  public long epochStartTimestampMs() {
    return head.mark().epochStartMs();
  }

  /** G1's empty request (epoch 0) means the current epoch; G2+ name the epoch. */
  @Override
  public long epochStartTimestampMs(long epoch) throws RefusedRequestException {
    EpochMark mark = head.mark();
    return epoch == 0 || epoch == mark.epoch() ? mark.epochStartMs() : epochs.startOf(epoch);
  }

  @Override
  public String statusMessage() {
    ChainHead h = head;
    return "peerlink master: epoch " + Long.toUnsignedString(h.mark().epoch()) + ", last block "
        + Long.toUnsignedString(h.lastBlock()) + " (G1 numbering: global_exec_index); last hand-off: " + handOff.last();
  }

  @Override
  public long uptimeSeconds() {
    return Math.max(0, clockMs.getAsLong() - openedMs) / 1000;
  }

  @Override
  public EpochBoundaryData epochBoundaryData(long epoch) throws RefusedRequestException {
    return epochs.boundaryData(epoch);
  }

  @Override
  public ValidatorInfoList validatorsAtBlock(long blockNumber) throws RefusedRequestException {
    return epochs.atBlock(blockNumber);
  }

  @Override
  public ValidatorInfoList activeValidators() throws RefusedRequestException {
    return epochs.active(head.mark().epoch());
  }

  @Override
  public SetConsensusStartBlockResult setConsensusStartBlock(long blockNumber) {
    return handOff.consensusFrom(blockNumber, head.lastBlock());
  }

  @Override
  public SetSyncStartBlockResult setSyncStartBlock(long lastConsensusBlock) {
    return handOff.syncAfter(lastConsensusBlock, head.lastBlock());
  }

  @Override
  public CompletableFuture<Long> blockHeld(long target) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the chain state is closed"));
    }
    return waiters.await(target);
  }

  /** The oldest block still kept; blocks below it were pruned by retention. */
  public long firstRetainedBlock() {
    return store.firstBlock();
  }



  /**
   * Blocks {@code fromBlock..toBlock}, inclusive, from disk; capped by
   * {@link ChainOptions#maxBlocksPerRange()} and {@link ChainOptions#maxRangeBytes()}. Asking past
   * the last block returns what exists (possibly nothing; block 0 never exists); asking below the
   * retained floor is refused with the floor and the retention named, since those blocks are gone.
   */
  @Override
  public List<BlockData> blocksRange(long fromBlock, long toBlock) throws IOException, RefusedRequestException {
    List<byte[]> encoded = storedArrays(fromBlock, toBlock);
    List<BlockData> blocks = new ArrayList<>(encoded.size());
    long number = fromBlock == 0 ? 1 : fromBlock;
    for (byte[] bytes : encoded) {
      blocks.add(decode(number++, bytes));
    }
    return blocks;
  }

  /** As {@link #blocksRange}, each block as the bytes it is stored as: its encoded BlockData. */
  private List<byte[]> storedArrays(long fromBlock, long toBlock) throws IOException, RefusedRequestException {
    SegmentRange stored = stored(fromBlock, toBlock);
    if (stored == null) {
      return List.of();
    }
    try (stored) {
      return stored.arrays();
    }
  }

  /**
   * As {@link #blocksRange}, each block as the bytes it is stored as (its encoded BlockData, which
   * the get_blocks_range answer carries as it is), located in the store but not read: the
   * responder's answer carries each one as the range of its segment file that holds it
   * ({@link SegmentRange#addTo}), sent from the file (tcp: {@code sendfile}). Not decoded here:
   * each record passed its CRC when the log was opened and its chain links were checked when the
   * block was taken, so decoding it only to encode it again would spend the serving peer's CPU on
   * bytes it already trusts. Retention waits until the responder closes it,
   * once the answer is laid out; the answer itself keeps the files it sends from open.
   */
  @Override
  public EncodedBlocks encodedBlocks(long fromBlock, long toBlock) throws IOException, RefusedRequestException {
    SegmentRange stored = stored(fromBlock, toBlock);
    return stored == null ? EncodedBlocks.of(List.of()) : stored;
  }

  /** The stored blocks of the range, capped by the chain's options; null when none exists there yet. */
  private SegmentRange stored(long fromBlock, long toBlock) throws IOException, RefusedRequestException {
    if (Long.compareUnsigned(fromBlock, toBlock) > 0) {
      throw new RefusedRequestException("get_blocks_range: from_block " + Long.toUnsignedString(fromBlock)
          + " is after to_block " + Long.toUnsignedString(toBlock));
    }
    long last = head.lastBlock();
    long from = fromBlock == 0 ? 1 : fromBlock;
    if (from < 0 || from > last) {
      return null; // not yet applied (from < 0 is above 2^63 unsigned): nothing exists there
    }
    long to = toBlock < 0 ? last : Math.min(toBlock, last); // toBlock < 0: above 2^63 unsigned
    to = Math.min(to, from + options.maxBlocksPerRange() - 1);
    if (from < store.firstBlock()) {
      throw pruned(fromBlock, toBlock, last);
    }
    try {
      return store.range(from, to, options.maxRangeBytes());
    } catch (IllegalArgumentException e) {
      throw pruned(fromBlock, toBlock, last); // retention moved the floor since the check above
    }
  }

  private RefusedRequestException pruned(long fromBlock, long toBlock, long last) {
    long first = store.firstBlock();
    return new RefusedRequestException("get_blocks_range " + Long.toUnsignedString(fromBlock) + ".."
        + Long.toUnsignedString(toBlock) + ": blocks below " + Long.toUnsignedString(first)
        + " were pruned (" + keptWhy() + "); it holds " + ChainStore.describeBlocks(first, last));
  }

  /** Why blocks below the floor are missing: retention pruned them, or the chain began at a base. */
  private String keptWhy() {
    return options.retentionBlocks() == ChainOptions.KEEP_ALL
        ? "this master's chain starts at a base block, as it joined a pruned network"
        : "this master keeps the newest " + options.retentionBlocks() + " blocks, storage.retention_blocks";
  }

  static BlockData decode(long number, byte[] bytes) throws IOException {
    try {
      return BlockData.decode(bytes);
    } catch (ProtocolException e) {
      // The record passed its CRC, so this is a bug or a foreign write, not a torn one.
      throw new IOException("stored block " + Long.toUnsignedString(number) + " does not decode: " + e.getMessage(), e);
    }
  }
}
