package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import io.peerlink.discovery.core.protocol.ValidatorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * The operator's rollback of a stopped master's chain ({@code peerlink store rollback}): keeps
 * blocks up to block N, removes every later one, and puts the epoch state back to what it was
 * after block N: the repair of a store that forked from what the network confirms, or whose
 * blocks carry a forged epoch. The removed blocks come back only by catch-up from peers.
 *
 * <p>The plan is made with the store open (and so locked), then recorded durably as a
 * {@link RollbackIntent} and carried out; a crash before that record is durable leaves the old
 * store, after it every open finishes the rollback first. See STORAGE.md, "Rollback".
 *
 * <p>The epoch state after block N is the mark of the record that ends with block N, and the
 * entries its records leave. When block N is inside a record (a group commit holding several
 * blocks), that record is rewritten with its blocks up to N, and the mark after N is derived from
 * them as the master derived it: the mark before the record, moved to each higher epoch a block
 * carries (starting at that block's time, after the block before it), with that epoch's entry
 * (its committee as the record kept it). An {@code advance_epoch} that shared such a record is
 * dropped with it: the node's epoch agreement sends it again. A rollback never keeps an epoch
 * whose blocks or marks it removes.
 */
public final class ChainRollback {

  private ChainRollback() {
  }

  /**
   * What a rollback changed, or would change.
   *
   * @param storagePath the master's {@code storage_path}
   * @param done false for a dry run, or when there was nothing to do
   * @param oldLast the last block before (0: none)
   * @param oldHash its hash, hex (empty without blocks)
   * @param newLast the last block after
   * @param newHash its hash, hex (empty without blocks)
   * @param oldEpoch the epoch before
   * @param newEpoch the epoch after
   * @param oldEntries how many epoch entries were kept before
   * @param newEntries how many after
   */
  public record Change(Path storagePath, boolean done, long oldLast, String oldHash, long newLast, String newHash,
      long oldEpoch, long newEpoch, int oldEntries, int newEntries) {

    /** How many blocks go. */
    public long removedBlocks() {
      return oldLast - newLast;
    }

    /** One line for the operator. */
    public String describe() {
      if (removedBlocks() == 0) {
        return "store " + storagePath + ": block " + Long.toUnsignedString(newLast) + hash(newHash)
            + " is already the last block: nothing to roll back";
      }
      return "store " + storagePath + ": " + (done ? "rolled back" : "would roll back (nothing changed)")
          + " from block " + Long.toUnsignedString(oldLast) + hash(oldHash) + " to block "
          + Long.toUnsignedString(newLast) + hash(newHash) + "; " + removedBlocks() + " block"
          + (removedBlocks() == 1 ? "" : "s") + " removed; epoch " + Long.toUnsignedString(oldEpoch) + " -> "
          + Long.toUnsignedString(newEpoch) + "; epoch entries " + oldEntries + " -> " + newEntries;
    }

    private static String hash(String hex) {
      return hex.isEmpty() ? "" : " (hash " + hex + ")";
    }
  }

  /**
   * Rolls the store under {@code storagePath} back to block {@code toBlock}, or with
   * {@code dryRun} says what that would do.
   *
   * @param toBlock the block to keep last: from the store's first block to its last; 0 (no block)
   *     when the store's chain starts at block 1
   * @throws IllegalArgumentException when {@code toBlock} is outside those
   * @throws IOException when there is no store, a master runs on it, or it is damaged
   */
  public static Change rollback(Path storagePath, long toBlock, boolean dryRun) throws IOException {
    return rollback(storagePath, toBlock, dryRun, RollbackIntent.Steps.NONE);
  }

  /** As {@link #rollback(Path, long, boolean)}, told after each step (a test's crash). */
  static Change rollback(Path storagePath, long toBlock, boolean dryRun, RollbackIntent.Steps steps)
      throws IOException {
    Path dir = ChainStore.offlineDirectory(storagePath);
    Plan plan;
    try (ChainStore store = ChainStore.open(dir, Long.MAX_VALUE, ChainOptions.BLOCKS_PER_SEGMENT)) {
      plan = plan(store, dir, toBlock);
      Change change = plan.change(storagePath, false);
      if (dryRun || change.removedBlocks() == 0) {
        return change;
      }
      // From here the store is the rolled-back one, whatever happens: every open finishes it.
      plan.intent().record(dir);
      steps.after(RollbackIntent.Step.RECORDED);
      plan.intent().finish(dir, steps);
    }
    try (ChainStore store = ChainStore.open(dir, Long.MAX_VALUE, ChainOptions.BLOCKS_PER_SEGMENT)) {
      if (store.lastBlock() != toBlock || !store.mark().equals(plan.mark())
          || !hashOf(store, toBlock).equals(plan.newHash()) || store.epochEntries().size() != plan.entries()) {
        throw new IOException("chain log " + dir + ": after the rollback to block " + Long.toUnsignedString(toBlock)
            + " the store holds blocks up to " + Long.toUnsignedString(store.lastBlock()) + " at " + store.mark()
            + ", not what was planned (" + plan.mark() + "): a bug; the files are left as they are");
      }
    }
    return plan.change(storagePath, true);
  }

  /** A rollback worked out: its redo record, and what the store holds afterwards. */
  private record Plan(RollbackIntent intent, long oldLast, String oldHash, long oldEpoch, int oldEntries,
      String newHash, EpochMark mark, int entries) {

    Change change(Path storagePath, boolean done) {
      return new Change(storagePath, done, oldLast, oldHash, intent.toBlock(), newHash, oldEpoch, mark.epoch(),
          oldEntries, entries);
    }
  }

  private static Plan plan(ChainStore store, Path dir, long toBlock) throws IOException {
    long first = store.firstBlock();
    long last = store.lastBlock();
    String held = last < first ? "it holds no block" : "it holds blocks " + ChainStore.describeRange(first, last);
    if (Long.compareUnsigned(toBlock, last) > 0) {
      throw new IllegalArgumentException("block " + Long.toUnsignedString(toBlock) + " is above the store's last block "
          + Long.toUnsignedString(last) + " (" + held + ", base block " + Long.toUnsignedString(first - 1)
          + "): nothing to roll back to");
    }
    if (toBlock < first && !(toBlock == 0 && first == 1)) {
      throw new IllegalArgumentException("block " + Long.toUnsignedString(toBlock) + " is below the store's base block "
          + Long.toUnsignedString(first - 1) + " (" + held + "; blocks up to the base were pruned, or the chain"
          + " started there): roll back to a block it holds, or move the storage directory aside and catch up");
    }
    List<Segment> segments = store.offlineSegments();
    int index = 0;
    while (toBlock != 0 && !segments.get(index).contains(toBlock)) {
      index++;
    }
    EpochEntries entries = EpochEntries.NONE;
    for (Segment earlier : segments.subList(0, index)) {
      for (Segment.RecordAt record : earlier.records()) {
        entries = entries.after(record.decoded().epochs(), record.decoded().reset(), earlier.path);
      }
    }
    Segment segment = segments.get(index);
    EpochMark mark = segment.baseMark;
    long cut = Segment.HEADER_BYTES;
    byte[] replacement = new byte[0];
    for (Segment.RecordAt record : toBlock == 0 ? List.<Segment.RecordAt>of() : segment.records()) {
      WalRecord.Decoded decoded = record.decoded();
      long recordLast = decoded.firstBlock() + decoded.count() - 1;
      if (decoded.count() > 0 && recordLast >= toBlock && recordLast != toBlock) {
        // Block N is inside this record: it becomes a record of its blocks up to N.
        List<StoredBlock> kept = new ArrayList<>();
        List<byte[]> begun = new ArrayList<>();
        List<byte[]> read = store.read(decoded.firstBlock(), toBlock, Long.MAX_VALUE);
        for (int i = 0; i < read.size(); i++) {
          long number = decoded.firstBlock() + i;
          kept.add(StoredBlock.owning(number, read.get(i)));
          BlockData block = ChainReads.decode(number, read.get(i));
          if (Long.compareUnsigned(block.epoch(), mark.epoch()) > 0) {
            mark = new EpochMark(block.epoch(), block.timestampMs(), number - 1);
            begun.add(entry(mark, decoded.epochs(), segment.path));
          }
        }
        entries = entries.with(begun, segment.path);
        // The first record of a segment carries every entry, so retention never loses one.
        List<byte[]> carried = record.start() == Segment.HEADER_BYTES && !entries.isEmpty() ? entries.all() : begun;
        ByteBuffer encoded = WalRecord.encode(mark, decoded.firstBlock(), kept, carried);
        replacement = new byte[encoded.remaining()];
        encoded.get(replacement);
        cut = record.start();
        break;
      }
      entries = entries.after(decoded.epochs(), decoded.reset(), segment.path);
      mark = decoded.mark();
      cut = record.end();
      if (recordLast == toBlock && decoded.count() > 0) {
        break;
      }
    }
    Segment oldest = segments.get(0);
    RollbackIntent intent = new RollbackIntent(toBlock, oldest.sequence, segment.sequence, segment.baseBlock, cut,
        segment.crcOfPrefix(cut), replacement);
    return new Plan(intent, last, hashOf(store, last), store.mark().epoch(), store.epochEntries().size(),
        hashOf(store, toBlock), mark, entries.copy().size());
  }

  /**
   * The entry of the epoch {@code mark} begins, at the mark's start and boundary, with the
   * committee the record kept for it (none when it kept no entry for the epoch).
   */
  private static byte[] entry(EpochMark mark, List<byte[]> recordEntries, Path where) throws IOException {
    List<ValidatorInfo> validators = List.of();
    for (byte[] bytes : recordEntries) {
      try {
        EpochBoundaryData kept = EpochBoundaryData.decodeMessage(bytes);
        if (kept.epoch() == mark.epoch()) {
          validators = kept.validators();
        }
      } catch (ProtocolException e) {
        throw new IOException("chain log " + where + ": an epoch entry does not decode: " + e.getMessage(), e);
      }
    }
    return new EpochBoundaryData(mark.epoch(), mark.epochStartMs(), mark.boundaryBlock(), validators, 0,
        mark.boundaryBlock()).encodeMessage();
  }

  private static String hashOf(ChainStore store, long number) throws IOException {
    if (number == 0) {
      return "";
    }
    return HexFormat.of().formatHex(ChainReads.decode(number, store.read(number, number, Long.MAX_VALUE).get(0))
        .blockHash());
  }
}
