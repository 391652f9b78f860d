package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.ValidatorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The operator's repair of a poisoned epoch ({@code peerlink store set-epoch}): a master moved to
 * an epoch no honest peer is in (say 2^64-1) can never come back by {@code advance_epoch}, which
 * only moves forward. On a stopped master's store this writes one epoch reset record (see
 * {@link WalRecord}) through the store's normal, checksummed and fsynced path, so recovery
 * replays it: the epoch, its start and boundary become the given ones, and the entries of every
 * higher epoch are dropped. The store's lock is taken, so a running master refuses it.
 */
public final class EpochReset {

  private EpochReset() {
  }

  /**
   * What a reset changed.
   *
   * @param storagePath the master's {@code storage_path}
   * @param oldEpoch the epoch before
   * @param oldStartMs its start
   * @param newEpoch the epoch after
   * @param newStartMs its start
   * @param boundaryBlock the new epoch's boundary block
   * @param droppedEpochs how many entries of higher epochs were dropped
   * @param lastBlock the store's last block (0: none)
   * @param lastBlockEpoch that block's epoch (0 without blocks)
   */
  public record Change(Path storagePath, long oldEpoch, long oldStartMs, long newEpoch, long newStartMs,
      long boundaryBlock, int droppedEpochs, long lastBlock, long lastBlockEpoch) {

    /** One line for the operator. */
    public String describe() {
      String line = "store " + storagePath + ": epoch " + Long.toUnsignedString(oldEpoch) + " (start "
          + Long.toUnsignedString(oldStartMs) + " ms) -> epoch " + Long.toUnsignedString(newEpoch) + " (start "
          + Long.toUnsignedString(newStartMs) + " ms, boundary block " + Long.toUnsignedString(boundaryBlock) + "); "
          + droppedEpochs + " entr" + (droppedEpochs == 1 ? "y" : "ies") + " of higher epochs dropped; last block "
          + Long.toUnsignedString(lastBlock);
      if (Long.compareUnsigned(lastBlockEpoch, newEpoch) > 0) {
        line += ". WARNING: the last block carries epoch " + Long.toUnsignedString(lastBlockEpoch)
            + ", above the new epoch: the stored blocks came from a liar, and sync_blocks refuses blocks after them;"
            + " move the storage directory aside so the master starts empty and catches up from its peers";
      }
      return line;
    }
  }

  /**
   * Sets the epoch of the store under {@code storagePath}.
   *
   * @param epoch the epoch to set (unsigned)
   * @param startMs its start; empty takes the start this store kept for that epoch
   * @throws IllegalArgumentException when no start is given and the store kept none for the epoch
   * @throws IOException when there is no store, a master runs on it, or it is damaged
   */
  public static Change setEpoch(Path storagePath, long epoch, OptionalLong startMs) throws IOException {
    Path dir = ChainStore.offlineDirectory(storagePath);
    try (ChainStore store = ChainStore.open(dir, Long.MAX_VALUE, ChainOptions.BLOCKS_PER_SEGMENT)) {
      EpochMark before = store.mark();
      TreeMap<Long, byte[]> entries = store.epochEntries();
      EpochBoundaryData kept = entries.containsKey(epoch) ? decode(entries.get(epoch), epoch) : null;
      if (startMs.isEmpty() && kept == null) {
        throw new IllegalArgumentException("epoch " + Long.toUnsignedString(epoch) + " has no start kept in " + dir
            + " (it knows epochs " + describe(entries) + "): give it with --start-ms");
      }
      long start = startMs.isPresent() ? startMs.getAsLong() : kept.epochStartTimestampMs();
      long last = store.lastBlock();
      long boundary = kept != null && Long.compareUnsigned(kept.boundaryBlock(), last) <= 0 ? kept.boundaryBlock() : last;
      List<ValidatorInfo> validators = kept != null ? kept.validators() : List.of();
      byte[] entry = new EpochBoundaryData(epoch, start, boundary, validators, 0, boundary).encodeMessage();
      int dropped = entries.tailMap(epoch, false).size();
      long lastEpoch = last == 0 ? 0 : ChainReads.decode(last, store.read(last, last, Long.MAX_VALUE).get(0)).epoch();
      store.resetEpoch(new EpochMark(epoch, start, boundary), entry);
      return new Change(storagePath, before.epoch(), before.epochStartMs(), epoch, start, boundary, dropped, last,
          lastEpoch);
    }
  }

  private static EpochBoundaryData decode(byte[] bytes, long epoch) throws IOException {
    try {
      return EpochBoundaryData.decodeMessage(bytes);
    } catch (ProtocolException e) {
      throw new IOException("the kept entry of epoch " + Long.toUnsignedString(epoch) + " does not decode: "
          + e.getMessage(), e);
    }
  }

  private static String describe(TreeMap<Long, byte[]> entries) {
    return entries.isEmpty() ? "none" : Long.toUnsignedString(entries.firstKey()) + ".."
        + Long.toUnsignedString(entries.lastKey());
  }
}
