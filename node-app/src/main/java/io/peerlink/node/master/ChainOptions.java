package io.peerlink.node.master;

import io.peerlink.discovery.core.server.Responder;
import java.time.Duration;

/**
 * Tuning for a {@link ChainState}; {@link #defaults()} suits a production master.
 *
 * @param retentionBlocks how many of the newest blocks are always kept on disk to serve
 *     get_blocks_range (config {@code storage.retention_blocks}); older ones are pruned a whole
 *     segment at a time, so somewhat more may be kept. {@link #KEEP_ALL} (0) keeps every block, as
 *     a Go master keeps its whole history, so that a new node can sync from block 1.
 * @param blocksPerSegment blocks per segment file, the unit of pruning. At least 1.
 * @param pendingCommitLimit how many commits that arrived after a gap are held while the missing
 *     one is awaited; beyond that, commits are refused with an error. At least 1.
 * @param maxBlocksPerRange the most blocks one get_blocks_range answer reads. At least 1.
 * @param maxRangeBytes the encoded bytes after which a get_blocks_range answer stops (one block
 *     is always returned). At least 1.
 * @param maxClockSkew how far ahead of this master's clock an epoch may start
 *     ({@code master.max_clock_skew}); positive.
 */
public record ChainOptions(long retentionBlocks, int blocksPerSegment, int pendingCommitLimit,
    int maxBlocksPerRange, long maxRangeBytes, Duration maxClockSkew) {

  /** {@code storage.retention_blocks = 0}: nothing is pruned. */
  public static final long KEEP_ALL = 0;
  /** The retention a master uses unless configured: keep everything (pruning is an operator's choice). */
  public static final long DEFAULT_RETENTION_BLOCKS = KEEP_ALL;
  /** reference.conf's {@code master.max_clock_skew}: masters' clocks are NTP-synced far closer. */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(10);

  /** The options with the default {@link #DEFAULT_MAX_CLOCK_SKEW}. */
  public ChainOptions(long retentionBlocks, int blocksPerSegment, int pendingCommitLimit, int maxBlocksPerRange,
      long maxRangeBytes) {
    this(retentionBlocks, blocksPerSegment, pendingCommitLimit, maxBlocksPerRange, maxRangeBytes,
        DEFAULT_MAX_CLOCK_SKEW);
  }

  /** Checks every value; the message names the option, the value and what was expected. */
  public ChainOptions {
    if (retentionBlocks < 0) {
      throw new IllegalArgumentException("storage.retention_blocks = " + retentionBlocks
          + ": expected 0 (keep every block) or a number of blocks to keep");
    }
    requireAtLeastOne("blocks per segment", blocksPerSegment);
    requireAtLeastOne("pending commit limit", pendingCommitLimit);
    requireAtLeastOne("blocks per range", maxBlocksPerRange);
    requireAtLeastOne("range bytes", maxRangeBytes);
    if (maxClockSkew == null || maxClockSkew.isNegative() || maxClockSkew.isZero()) {
      throw new IllegalArgumentException("master.max_clock_skew = " + maxClockSkew + ": expected a positive duration");
    }
  }

  /**
   * Every block kept ({@link #KEEP_ALL}), in segments of 10,000; 1,024 commits held
   * across a gap; ranges capped as the {@link Responder} caps its answers.
   */
  public static ChainOptions defaults() {
    return new ChainOptions(DEFAULT_RETENTION_BLOCKS, 10_000, 1024, Responder.MAX_BLOCKS_PER_RANGE,
        Responder.MAX_RANGE_RESPONSE_BYTES);
  }

  /** A copy with another retention (the one setting an operator configures). */
  public ChainOptions withRetentionBlocks(long blocks) {
    return new ChainOptions(blocks, blocksPerSegment, pendingCommitLimit, maxBlocksPerRange, maxRangeBytes,
        maxClockSkew);
  }

  /** A copy with another {@code master.max_clock_skew}. */
  public ChainOptions withMaxClockSkew(Duration skew) {
    return new ChainOptions(retentionBlocks, blocksPerSegment, pendingCommitLimit, maxBlocksPerRange, maxRangeBytes,
        skew);
  }

  private static void requireAtLeastOne(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " = " + value + ": expected at least 1");
    }
  }
}
