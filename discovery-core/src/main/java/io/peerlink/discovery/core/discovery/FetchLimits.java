package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.catchup.CatchUp;

/**
 * How far catch-up pipelines its block fetches ({@link CatchUp}): how many batch requests are in
 * flight at once, and how many verified batches may wait, fetched, behind the one the sink is
 * applying. Memory held by a run is at most {@code (batchesAhead + 1) × batchSize} blocks,
 * whatever peers send. {@code parallelFetches = 1} is the sequential catch-up: one request at a
 * time, each batch applied before the next is asked for.
 *
 * @param parallelFetches batch fetches (and batch-end confirmations) in flight; 1 to
 *     {@value #MAX_PARALLEL_FETCHES}
 * @param batchesAhead batches fetched ahead of the one being applied; 1 to
 *     {@value #MAX_BATCHES_AHEAD}
 */
public record FetchLimits(int parallelFetches, int batchesAhead) {

  /** The most fetches in flight a node may ask for. */
  public static final int MAX_PARALLEL_FETCHES = 256;
  /** The most batches a node may hold ahead of the one being applied. */
  public static final int MAX_BATCHES_AHEAD = 4096;
  /** One request at a time: catch-up as it was before pipelining, the library's default. */
  public static final FetchLimits SEQUENTIAL = new FetchLimits(1, 1);

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
  }

  /** Whether more than one request may be in flight (the pipelined path). */
  public boolean pipelined() {
    return parallelFetches > 1;
  }
}
