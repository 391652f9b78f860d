package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The changes staged since the last group went to the disk: commits, sync_blocks batches, epoch
 * changes, in the order they were staged. {@link GroupCommit} writes a group as one record with
 * one fdatasync; only then is {@link #durable} completed and the group's tip ({@link #after})
 * published. Guarded by the chain's write lock while open; owned by the writer once taken.
 */
final class CommitGroup {
  private final List<StoredBlock> blocks = new ArrayList<>();
  private final List<EpochBoundaryData> entries = new ArrayList<>();
  private final CompletableFuture<Void> durable = new CompletableFuture<>();
  private EpochMark mark;
  private ChainHead after;
  private long bytes;
  private int changes;

  /**
   * Adds one change: its blocks (continuing the group's), the epoch entries it begins, and the
   * chain's tip after it (its mark is the record's).
   */
  void add(List<StoredBlock> moreBlocks, List<EpochBoundaryData> moreEntries, ChainHead tip) {
    blocks.addAll(moreBlocks);
    entries.addAll(moreEntries);
    for (StoredBlock block : moreBlocks) {
      bytes += 4L + block.length();
    }
    mark = tip.mark();
    after = tip;
    changes++;
  }

  boolean isEmpty() {
    return changes == 0;
  }

  /** The changes staged in this group. */
  int changes() {
    return changes;
  }

  /** The blocks' payload bytes, for the group size bound. */
  long bytes() {
    return bytes;
  }

  List<StoredBlock> blocks() {
    return blocks;
  }

  /** The epoch entries begun in this group, in order (a later one of an epoch replaces an earlier). */
  List<EpochBoundaryData> entries() {
    return entries;
  }

  /** The epoch mark after the group. */
  EpochMark mark() {
    return mark;
  }

  /** The chain's tip once the group is durable. */
  ChainHead after() {
    return after;
  }

  /** Completes once the group is durable and visible; exceptionally when it was never written. */
  CompletableFuture<Void> durable() {
    return durable;
  }

  /** A block of this group, or null when it holds no such block. */
  StoredBlock block(long number) {
    if (blocks.isEmpty()) {
      return null;
    }
    long first = blocks.get(0).number();
    long offset = number - first;
    return offset >= 0 && offset < blocks.size() ? blocks.get((int) offset) : null;
  }
}
