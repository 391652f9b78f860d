package io.peerlink.node.config;

import java.nio.file.Path;

/** Binds the master's durable chain state: {@code storage_path} and {@code storage.retention_blocks}. */
final class StorageBinder {

  private final Path path;
  private final long retention;

  /** Reads the keys, recording each bad value in {@code r}. */
  StorageBinder(ConfigReader r) {
    path = r.path("storage_path");
    retention = r.integer("storage.retention_blocks", 0, SettingBounds.MAX_BLOCKS,
        "0 (keep every block) or a number of blocks 1-" + SettingBounds.MAX_BLOCKS);
  }

  Path path() {
    return path;
  }

  long retentionBlocks() {
    return retention;
  }
}
