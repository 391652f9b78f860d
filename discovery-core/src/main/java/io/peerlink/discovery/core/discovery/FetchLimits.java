package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.catchup.CatchUp;

/**
 * How far catch-up pipelines its block fetches ({@link CatchUp}): how many batch requests are in
 * flight at once, and how much verified data may wait, fetched, behind the batch the sink is
 * applying. A run holds at most {@code (batchesAhead + 1) × batchSize} blocks, whatever peers send,
 * and starts no fetch that would take the bytes it holds and expects in flight past
 * {@code maxBytesAhead} (the batch next in line is always fetched, so a run never waits on its own
 * bound): with large blocks, the block count alone would let a run hold gigabytes.
 * {@code parallelFetches = 1} is the sequential catch-up: one request at a time, each batch applied
 * before the next is asked for.
 *
 * @param parallelFetches batch fetches (and batch-end confirmations) in flight; 1 to
 *     {@value #MAX_PARALLEL_FETCHES}
 * @param batchesAhead batches fetched ahead of the one being applied; 1 to
 *     {@value #MAX_BATCHES_AHEAD}
 * @param maxBytesAhead encoded block bytes held (fetched, waiting or being applied) plus those
 *     expected from the fetches in flight (each counted at the run's average block size, or at the
 *     most an answer carries until a block has arrived); {@value #MIN_BYTES_AHEAD} to
 *     {@value #MAX_BYTES_AHEAD}
 */
public record FetchLimits(int parallelFetches, int batchesAhead, long maxBytesAhead) {

  /** The most fetches in flight a node may ask for. */
  public static final int MAX_PARALLEL_FETCHES = 256;
  /** The most batches a node may hold ahead of the one being applied. */
  public static final int MAX_BATCHES_AHEAD = 4096;
  /** The least {@code maxBytesAhead}: 1 MiB. */
  public static final long MIN_BYTES_AHEAD = 1L << 20;
  /** The most {@code maxBytesAhead}: 1 TiB. */
  public static final long MAX_BYTES_AHEAD = 1L << 40;
  /**
   * The default {@code maxBytesAhead}: 128 MiB, sixteen answers of the most a master sends
   * ({@code AnswerLimits.MAX_RANGE_RESPONSE_BYTES}); small blocks never reach it.
   */
  public static final long DEFAULT_MAX_BYTES_AHEAD = 128L << 20;
  /** One request at a time: catch-up as it was before pipelining, the library's default. */
  public static final FetchLimits SEQUENTIAL = new FetchLimits(1, 1);

  /** The limits with {@link #DEFAULT_MAX_BYTES_AHEAD}. */
  public FetchLimits(int parallelFetches, int batchesAhead) {
    this(parallelFetches, batchesAhead, DEFAULT_MAX_BYTES_AHEAD);
  }

  /** Checks the bounds; the message names the field and its range. */
  public FetchLimits {
    if (parallelFetches < 1 || parallelFetches > MAX_PARALLEL_FETCHES) {
      throw new IllegalArgumentException("fetch limit parallelFetches must be 1 to " + MAX_PARALLEL_FETCHES
          + ", got " + parallelFetches);
    }
    if (batchesAhead < 1 || batchesAhead > MAX_BATCHES_AHEAD) {
      throw new IllegalArgumentException("fetch limit batchesAhead must be 1 to " + MAX_BATCHES_AHEAD
          + ", got " + batchesAhead);
    }
    if (maxBytesAhead < MIN_BYTES_AHEAD || maxBytesAhead > MAX_BYTES_AHEAD) {
      throw new IllegalArgumentException("fetch limit maxBytesAhead must be " + MIN_BYTES_AHEAD + " to "
          + MAX_BYTES_AHEAD + " bytes, got " + maxBytesAhead);
    }
  }

  /** Whether more than one request may be in flight (the pipelined path). */
  public boolean pipelined() {
    return parallelFetches > 1;
  }
}
