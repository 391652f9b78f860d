package io.peerlink.it;

import static org.awaitility.Awaitility.await;

import io.peerlink.node.testing.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A set of node configurations in a short temporary directory, written as the seed writes them
 * (TOML that parses as HOCON), and the processes started from them. Closing it stops every
 * process and deletes the directory.
 */
final class Cluster implements AutoCloseable {

  final Path dir;
  private final List<NodeProcess> processes = new ArrayList<>();
  private final java.util.Map<String, NodeProcess> byName = new java.util.HashMap<>();

  Cluster() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "plit");
  }

  Path receiveSocket(int node) {
    return dir.resolve("n" + node + "-recv.sock");
  }

  Path sendSocket(int node) {
    return dir.resolve("n" + node + "-send.sock");
  }

  /**
   * Writes node {@code i}'s configuration file.
   *
   * @param peers the entries of peer_go_master_sockets, as written
   * @param extra further lines (HOCON), e.g. discovery settings
   */
  Path writeConfig(int i, int peerRpcPort, String bind, List<String> peers, Map<String, String> extra) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("# node ").append(i).append(", written by the integration test in the seed's TOML form\n");
    b.append("node_id = ").append(i).append('\n');
    b.append("executor_send_socket_path = \"").append(sendSocket(i)).append("\"\n");
    b.append("executor_receive_socket_path = \"").append(receiveSocket(i)).append("\"\n");
    b.append("peer_go_master_sockets = [\n");
    for (String p : peers) {
      b.append("    \"").append(p).append("\",\n");
    }
    b.append("]\n");
    b.append("peer_rpc_port = ").append(peerRpcPort).append('\n');
    b.append("peer_rpc_bind = \"").append(bind).append("\"\n");
    b.append("storage_path = \"").append(dir.resolve("n" + i + "-data")).append("\"\n");
    for (Map.Entry<String, String> e : extra.entrySet()) {
      b.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
    }
    Path file = dir.resolve("node_" + i + ".toml");
    Files.writeString(file, b.toString());
    return file;
  }

  /** Starts a long-running process and keeps it for {@link #close()}. */
  NodeProcess start(String name, List<String> prefix, String... args) throws IOException {
    NodeProcess p = NodeProcess.start(name, prefix, List.of(args));
    processes.add(p);
    byName.put(name, p);
    return p;
  }

  /** Starts {@code peerlink run ...} and waits until the node says it has started. */
  NodeProcess startNode(String name, List<String> prefix, int nodeId, String... runArgs) throws Exception {
    String[] args = new String[runArgs.length + 1];
    args[0] = "run";
    System.arraycopy(runArgs, 0, args, 1, runArgs.length);
    NodeProcess p = start(name, prefix, args);
    p.awaitLine("node " + nodeId + " started", Duration.ofSeconds(90));
    return p;
  }

  /** Keeps a process started elsewhere, so {@link #close()} stops it. */
  NodeProcess keep(NodeProcess p) {
    processes.add(p);
    return p;
  }

  /** The last process started under this name. */
  NodeProcess process(String name) {
    NodeProcess p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no process named " + name + "; started: " + byName.keySet());
    }
    return p;
  }

  /**
   * Sends commits {@code from..to} of {@code epoch} to node {@code node}'s block channel with
   * {@code peerlink send-blocks}, as its consensus node would, and checks that every one went.
   */
  void feed(int node, long epoch, long from, long to) throws Exception {
    NodeProcess.Result fed = NodeProcess.run("feed-" + node, SeedScenario.STEP, "send-blocks",
        "unix://" + sendSocket(node), "--epoch", Long.toString(epoch), "--from", Long.toString(from),
        "--to", Long.toString(to));
    if (fed.exitCode() != 0) {
      throw new AssertionError("send-blocks " + from + ".." + to + " to node " + node + " exited "
          + fed.exitCode() + ":\n" + fed.output());
    }
  }

  /** Polls {@code status} until the master at {@code endpoint} reports {@code block}. */
  NodeProcess.Result awaitBlock(List<String> prefix, String endpoint, long block, Duration timeout) {
    // Each try is a whole `status` process (about half a second): no pause between tries.
    return await("master " + endpoint + " at block " + block).atMost(timeout).pollInterval(Duration.ofMillis(10))
        .until(() -> NodeProcess.run("status", Duration.ofSeconds(60), prefix, List.of("status", endpoint)),
            last -> last.exitCode() == 0 && last.has("block=" + block + "\\b"));
  }

  @Override
  public void close() throws Exception {
    for (NodeProcess p : processes) {
      p.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }
}
