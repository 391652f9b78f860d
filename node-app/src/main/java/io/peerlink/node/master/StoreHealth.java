package io.peerlink.node.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the master's store can take writes, for the readiness check: a master that cannot
 * write cannot apply commits or catch up, so it must not count as ready.
 */
@FunctionalInterface
public interface StoreHealth {

  /** What keeps the store from taking writes, in words for an operator; empty when it can. */
  Optional<String> problem();

  /**
   * Checks that a file can be created in {@code directory} and removed again (the directory
   * exists, is writable, the file system is not read-only or full of inodes).
   */
  static StoreHealth writableDirectory(Path directory) {
    return () -> {
      try {
        Path probe = Files.createTempFile(directory, ".ready-probe-", ".tmp");
        Files.delete(probe);
        return Optional.empty();
      } catch (IOException | SecurityException | UnsupportedOperationException e) {
        return Optional.of("the store directory " + directory + " is not writable: " + e);
      }
    };
  }

  /**
   * The chain's own word first (a write failing and being retried: {@link ChainState#stuckReason()}),
   * then whether its directory takes a new file.
   */
  static StoreHealth of(ChainState chain, Path directory) {
    StoreHealth writable = writableDirectory(directory);
    return () -> chain.stuckReason().or(writable::problem);
  }
}
