package io.peerlink.node.config;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.catchup.TrustedCheckpoint;
import java.time.Duration;
import java.util.Optional;

/**
 * Binds catch-up: {@code catch_up.*} (with {@code catch_up.max_bytes_ahead}, the byte bound on
 * what the pipelined fetch holds) and the seed's {@code commit_sync_batch_size},
 * {@code commit_sync_parallel_fetches} and {@code commit_sync_batches_ahead}; with
 * {@code catch_up.trusted_checkpoint}, the block an empty master may start at.
 */
final class CatchUpBinder {

  private final int batch;
  private final int parallelFetches;
  private final int batchesAhead;
  private final long maxBytesAhead;
  private final Duration fetchTimeout;
  private final Duration noProgress;
  private final Optional<TrustedCheckpoint> checkpoint;

  /** Reads the keys, recording each bad value in {@code r}. */
  CatchUpBinder(ConfigReader r) {
    // The seed's commit_sync_batch_size wins, unless only the older catch_up.batch_size was set.
    String batchKey = r.fromReference("commit_sync_batch_size") && !r.fromReference("catch_up.batch_size")
        ? "catch_up.batch_size" : "commit_sync_batch_size";
    batch = (int) r.integer(batchKey, 1, DiscoveryOptions.MAX_BATCH_SIZE,
        "a number of blocks 1-" + DiscoveryOptions.MAX_BATCH_SIZE);
    parallelFetches = (int) r.integer("commit_sync_parallel_fetches", 1, SettingBounds.MAX_PARALLEL_FETCHES,
        "a number of fetches in flight 1-" + SettingBounds.MAX_PARALLEL_FETCHES + " (1 = one at a time)");
    batchesAhead = (int) r.integer("commit_sync_batches_ahead", 1, SettingBounds.MAX_BATCHES_AHEAD,
        "a number of batches 1-" + SettingBounds.MAX_BATCHES_AHEAD);
    maxBytesAhead = r.integer("catch_up.max_bytes_ahead", FetchLimits.MIN_BYTES_AHEAD, FetchLimits.MAX_BYTES_AHEAD,
        "a number of bytes " + FetchLimits.MIN_BYTES_AHEAD + "-" + FetchLimits.MAX_BYTES_AHEAD);
    fetchTimeout = r.duration("catch_up.fetch_timeout");
    noProgress = r.duration("catch_up.no_progress_timeout");
    long checkpointBlock = r.integer(CheckpointSetting.BLOCK_KEY, 0, Long.MAX_VALUE,
        "a block number of at least 1, or 0 for no checkpoint");
    // "" is the hash's default: no checkpoint.
    checkpoint = checkpointBlock < 0 ? Optional.empty()
        : CheckpointSetting.of(checkpointBlock, r.rawString(CheckpointSetting.HASH_KEY), r::problem);
  }

  /** Sets every catch-up option on {@code b}; only once the reader holds no problem. */
  DiscoveryOptions.Builder applyTo(DiscoveryOptions.Builder b) {
    return b.batchSize(batch)
        .fetchLimits(new FetchLimits(parallelFetches, batchesAhead, maxBytesAhead))
        .fetchTimeout(fetchTimeout)
        .noProgressTimeout(noProgress);
  }

  /** {@code catch_up.trusted_checkpoint}, or empty for none. */
  Optional<TrustedCheckpoint> checkpoint() {
    return checkpoint;
  }
}
