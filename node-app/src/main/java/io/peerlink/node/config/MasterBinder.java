package io.peerlink.node.config;

import io.peerlink.discovery.core.catchup.TrustedCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Binds the master role's protocol settings: {@code committee_path}, {@code master.*} and
 * {@code block_channel.*}.
 */
final class MasterBinder {

  private final String committee;
  private final Duration waitForSync;
  private final Duration maxClockSkew;
  private final long maxCommit;
  private final String message;

  /** Reads the keys, recording each bad value in {@code r}. */
  MasterBinder(ConfigReader r) {
    committee = r.optionalString("committee_path");
    waitForSync = r.duration("master.wait_for_sync_timeout");
    maxClockSkew = r.duration("master.max_clock_skew");
    maxCommit = r.integer("block_channel.max_commit_bytes", 1024, Integer.MAX_VALUE - 64,
        "a number of bytes 1024-" + (Integer.MAX_VALUE - 64));
    message = r.oneOf("block_channel.message", "committed_epoch_data", "executable_block");
  }

  /**
   * The settings; only once the reader holds no problem.
   *
   * @param checkpoint where an empty master starts ({@code catch_up.trusted_checkpoint})
   */
  MasterSettings settings(Optional<TrustedCheckpoint> checkpoint) {
    return new MasterSettings(Optional.ofNullable(committee).map(c -> Path.of(c.strip())), waitForSync,
        (int) maxCommit, "executable_block".equals(message), maxClockSkew, checkpoint);
  }
}
