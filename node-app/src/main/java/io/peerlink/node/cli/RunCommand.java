package io.peerlink.node.cli;

import io.peerlink.node.PeerlinkNode;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.role.StartupException;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run --config FILE}: the node, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a node (master and node roles) until SIGTERM or Ctrl-C.",
        "The master keeps the chain under storage_path and listens on executor_receive_socket_path (full API),",
        "peer_rpc_bind:peer_rpc_port (read-only API for peers) and executor_send_socket_path (commits).",
        "The node role checks its own master against the peers and catches up when behind."})
final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The node's config (HOCON; the seed's node_N.toml files load as they are).")
  Path configFile;

  @ArgGroup(exclusive = true)
  RoleChoice roleChoice;

  static final class RoleChoice {
    @Option(names = "--master-only", description = "Only the master role, beside a real Rust node.")
    boolean masterOnly;

    @Option(names = "--node-only", description = "Only the node role, beside a real Go master.")
    boolean nodeOnly;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    PeerlinkNode.Roles roles = roleChoice == null ? PeerlinkNode.Roles.BOTH
        : roleChoice.masterOnly ? PeerlinkNode.Roles.MASTER_ONLY : PeerlinkNode.Roles.NODE_ONLY;
    TransportRegistry transports = TransportRegistry.installed();
    Optional<NodeConfig> config = NodeConfigFile.read("run", configFile, transports, err, Optional.empty());
    if (config.isEmpty()) {
      transports.close();
      return PeerlinkCommand.EXIT_ERROR;
    }
    PeerlinkNode node = PeerlinkNode.create(config.get(), transports, roles);
    HeapReturn.enable();
    Thread hook = new Thread(node::close, "peerlink-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      node.start();
    } catch (StartupException e) {
      err.println("peerlink run: could not start: " + e.getMessage());
      err.flush();
      Runtime.getRuntime().removeShutdownHook(hook);
      return PeerlinkCommand.EXIT_ERROR;
    }
    node.awaitStopped();
    return 0;
  }
}
