package io.peerlink.node.config;

import io.peerlink.discovery.core.catchup.TrustedCheckpoint;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * {@code catch_up.trusted_checkpoint = { block = N, hash = "hex" }}: the block an empty master may
 * start its chain at when its peers pruned block 1. {@code block = 0} (the default) sets none.
 */
final class CheckpointSetting {
  static final String BLOCK_KEY = "catch_up.trusted_checkpoint.block";
  static final String HASH_KEY = "catch_up.trusted_checkpoint.hash";

  private CheckpointSetting() {
  }

  /**
   * The checkpoint of {@code block} (already range-checked, 0 = none) and {@code hash}, or empty;
   * a bad pair is told to {@code problem} (key, expectation) and gives empty.
   */
  static Optional<TrustedCheckpoint> of(long block, String hash, BiConsumer<String, String> problem) {
    String hex = hash == null ? "" : hash.strip();
    if (block == 0) {
      if (!hex.isEmpty()) {
        problem.accept(BLOCK_KEY, "expected a block number of at least 1 for the hash " + HASH_KEY + " gives (0 sets no checkpoint)");
      }
      return Optional.empty();
    }
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      problem.accept(HASH_KEY, "expected the block's hash as 64 hex digits (32 bytes), got " + hex.length() + " characters"
          + (hex.isEmpty() ? "" : " \"" + hex + "\""));
      return Optional.empty();
    }
    return Optional.of(new TrustedCheckpoint(block, HexFormat.of().parseHex(hex)));
  }
}
