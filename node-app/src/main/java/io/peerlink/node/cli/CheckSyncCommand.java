package io.peerlink.node.cli;

import io.peerlink.discovery.core.discovery.SyncState;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.node.PeerlinkNode;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.role.SyncCheck;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code check-sync --config FILE}: one discovery round and the sync decision. */
@Command(name = "check-sync", mixinStandardHelpOptions = true,
    description = {"Check once whether the node is in sync with its peers; exit 0 ready, 3 behind, 4 isolated"
        + " (peers configured, none answered), 1 error.",
        "Asks the node's own master and its peers, logs it as the seed does, and prints one status line.",
        "Errors: a bad config, the own master unreachable, too few peers answering."})
final class CheckSyncCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The node's config.")
  Path configFile;

  @Option(names = "--json", description = "Print one JSON object (state, tips, each peer's outcome, latency and"
      + " error) instead of the status line; the exit code is the same.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (TransportRegistry transports = TransportRegistry.installed()) {
      Optional<NodeConfig> config = NodeConfigFile.read("check-sync", configFile, transports, err,
          json ? Optional.of(out) : Optional.empty());
      if (config.isEmpty()) {
        return PeerlinkCommand.EXIT_ERROR;
      }
      SyncStatus status;
      try (SyncCheck check = PeerlinkNode.syncCheck(config.get(), transports)) {
        status = check.check();
      } catch (ExecutionException | TimeoutException e) {
        err.println("peerlink check-sync: the check failed: " + Failures.describe(e));
        err.flush();
        if (json) {
          JsonOutput.print(out, JsonOutput.error("the check failed: " + Failures.describe(e), java.util.List.of()));
        }
        return PeerlinkCommand.EXIT_ERROR;
      }
      int code = exitCode(status);
      if (json) {
        JsonOutput.print(out, JsonOutput.syncStatus(status, code));
      } else {
        out.println("sync status: " + status.summary());
        out.flush();
      }
      return code;
    }
  }

  static int exitCode(SyncStatus status) {
    if (status.ready()) {
      return 0;
    }
    if (status.state() instanceof SyncState.SyncingCommits || status.state() instanceof SyncState.SyncingEpoch) {
      return PeerlinkCommand.EXIT_BEHIND;
    }
    if (status.state() instanceof SyncState.Isolated) {
      return PeerlinkCommand.EXIT_ISOLATED;
    }
    return PeerlinkCommand.EXIT_ERROR;
  }
}
