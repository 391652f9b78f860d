package io.peerlink.node.config;

import io.peerlink.discovery.core.catchup.TrustedCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The master role's protocol settings. Immutable.
 *
 * @param committeePath {@code committee_path}: the consensus node's committee file (the seed's own
 *     key), read as each epoch begins; empty when not set
 * @param waitForSyncTimeout {@code master.wait_for_sync_timeout}: how long
 *     {@code wait_for_sync_to_block} waits when it asks for 0 s
 * @param maxCommitBytes {@code block_channel.max_commit_bytes}: the largest commit the block
 *     channel takes
 * @param executableBlocks {@code block_channel.message = executable_block}: the node sends G3's
 *     {@code ExecutableBlock} on the block channel instead of {@code CommittedEpochData}
 * @param maxClockSkew {@code master.max_clock_skew}: how far ahead of this master's clock an
 *     epoch may start ({@code advance_epoch}, synced blocks entering an epoch)
 * @param trustedCheckpoint {@code catch_up.trusted_checkpoint}: the block an EMPTY master may start
 *     its chain at (its node fetches it from peers and checks its hash); empty: block 1, or the
 *     lowest block f+1 peers hold and agree on
 */
public record MasterSettings(Optional<Path> committeePath, Duration waitForSyncTimeout, int maxCommitBytes,
    boolean executableBlocks, Duration maxClockSkew, Optional<TrustedCheckpoint> trustedCheckpoint) {

  /** Checks for nulls and ranges. */
  public MasterSettings {
    Objects.requireNonNull(committeePath, "committeePath");
    Objects.requireNonNull(waitForSyncTimeout, "waitForSyncTimeout");
    Objects.requireNonNull(trustedCheckpoint, "trustedCheckpoint");
    if (waitForSyncTimeout.isZero() || waitForSyncTimeout.isNegative()) {
      throw new IllegalArgumentException("master.wait_for_sync_timeout must be positive, got " + waitForSyncTimeout);
    }
    Objects.requireNonNull(maxClockSkew, "maxClockSkew");
    if (maxClockSkew.isZero() || maxClockSkew.isNegative()) {
      throw new IllegalArgumentException("master.max_clock_skew must be positive, got " + maxClockSkew);
    }
    if (maxCommitBytes < 1) {
      throw new IllegalArgumentException("block_channel.max_commit_bytes must be at least 1, got " + maxCommitBytes);
    }
  }

  /** A copy with a committee file. */
  public MasterSettings withCommitteePath(Path path) {
    return new MasterSettings(Optional.of(path), waitForSyncTimeout, maxCommitBytes, executableBlocks, maxClockSkew,
        trustedCheckpoint);
  }
}
