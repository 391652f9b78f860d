package io.peerlink.node.cli;

import io.peerlink.node.config.ConfigLoader;
import io.peerlink.node.config.ConfigValidationException;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --config FILE} as {@code run} and {@code check-sync} read it: one reader (the file over
 * reference.conf, under PEERLINK_* and -Dpeerlink.*), one validation against the transports the
 * node then wires with, and one way to report every problem.
 */
final class NodeConfigFile {

  private NodeConfigFile() {
  }

  /**
   * The validated config, or empty after writing every problem to {@code err} (and, with
   * {@code json}, one JSON error object to {@code out}).
   */
  static Optional<NodeConfig> read(String command, Path file, TransportRegistry transports, PrintWriter err,
      Optional<PrintWriter> json) {
    try {
      return Optional.of(ConfigLoader.fromEnvironment().load(file, transports));
    } catch (ConfigValidationException e) {
      err.println("peerlink " + command + ": the config " + file + " cannot be used:");
      e.problems().forEach(p -> err.println("  " + p));
      err.flush();
      json.ifPresent(out -> JsonOutput.print(out, JsonOutput.error("the config " + file + " cannot be used",
          e.problems())));
      return Optional.empty();
    }
  }
}
