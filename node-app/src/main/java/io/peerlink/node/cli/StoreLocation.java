package io.peerlink.node.cli;

import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a {@code store} command finds the stopped master's store: {@code --storage DIR}, or the
 * {@code storage_path} of {@code --config FILE}, read and checked as {@code run} reads it (the
 * same overrides apply), so the command acts on the store that config's master would open.
 */
final class StoreLocation {

  @Option(names = "--storage", required = true, paramLabel = "DIR", description = "The master's storage_path.")
  Path storage;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The node's config: its storage_path, as run resolves it.")
  Path config;

  /** The storage path, or empty after the config's problems were written to {@code err}. */
  Optional<Path> storagePath(String command, PrintWriter err) {
    if (storage != null) {
      return Optional.of(storage);
    }
    try (TransportRegistry transports = TransportRegistry.installed()) {
      return NodeConfigFile.read(command, config, transports, err, Optional.empty()).map(NodeConfig::storagePath);
    }
  }
}
