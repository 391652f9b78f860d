package io.peerlink.it.bench;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The packaged node ({@code node-app/target/peerlink.jar}, or {@code -Dpeerlink.jar=...}) running
 * {@code run --master-only} (or {@code run}, both roles, for a node that catches up from peers) in
 * its own JVM on a scratch directory: its block channel, its query socket, its peer port and its
 * chain store under {@link #storage()}. Closing kills it.
 */
final class PackagedMaster implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);

  private final Process process;
  private final Path dir;
  private final Path log;
  final Endpoint blockChannel;
  final MasterClient client;
  /** The peer port on 127.0.0.1, where peers fetch blocks ({@code get_blocks_range}). */
  final int peerPort;
  private final URI metrics;

  private PackagedMaster(Process process, Path dir, Path log, Endpoint blockChannel, MasterClient client,
      int peerPort, URI metrics) {
    this.peerPort = peerPort;
    this.metrics = metrics;
    this.process = process;
    this.dir = dir;
    this.log = log;
    this.blockChannel = blockChannel;
    this.client = client;
  }

  /** The jar: {@code -Dpeerlink.jar}, else node-app's beside the module these classes came from. */
  static Path jar() throws Exception {
    String property = System.getProperty("peerlink.jar");
    Path root = Path.of(PackagedMaster.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParent().getParent().getParent(); // integration-tests/target/{classes,peerlink-bench.jar}
    Path jar = property != null ? Path.of(property) : root.resolve("node-app/target/peerlink.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the packaged node is missing at " + jar.toAbsolutePath()
          + ": build it with ./mvnw -o -pl node-app -am package -DskipTests, or name one with -Dpeerlink.jar=FILE");
    }
    return jar.toAbsolutePath();
  }

  /** Starts the master in {@code dir} and waits until it answers its status and its block channel listens. */
  static PackagedMaster start(Path jar, Path dir, TransportRegistry transports) throws Exception {
    return start(jar, dir, transports, List.of(), true, List.of("-Xmx256m"));
  }

  /**
   * Starts the node in {@code dir}, {@code run --master-only} or (not {@code masterOnly}) {@code
   * run} with both roles, its config followed by {@code extraConfig} lines (a later key wins), and
   * waits until its master answers its status and its block channel listens.
   */
  static PackagedMaster start(Path jar, Path dir, TransportRegistry transports, List<String> extraConfig,
      boolean masterOnly, List<String> jvmOptions) throws Exception {
    int port = LoopbackPorts.pick(); // a master-only peer port serves blocks to peers; a free port either way
    int metricsPort = LoopbackPorts.pick();
    Path config = dir.resolve("master.toml");
    Files.writeString(config, String.join("\n",
        "node_id = 0",
        "executor_send_socket_path = \"" + dir.resolve("exec.sock") + "\"",
        "executor_receive_socket_path = \"" + dir.resolve("master.sock") + "\"",
        "peer_go_master_sockets = []",
        "peer_rpc_port = " + port,
        "peer_rpc_bind = \"127.0.0.1\"",
        "storage_path = \"" + dir.resolve("data") + "\"",
        "enable_metrics = true",
        "metrics_bind = \"127.0.0.1\"",
        "metrics_port = " + metricsPort, String.join("\n", extraConfig), ""));
    Path log = dir.resolve("master.log");
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
        "java").toString());
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
    if (masterOnly) {
      command.add("--master-only");
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    MasterClient client = null;
    try {
      client = new MasterClient(transports, transports.endpoint(dir.resolve("master.sock").toString()));
      long deadline = System.nanoTime() + START_DEADLINE.toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the master exited with " + process.exitValue() + ": " + Files.readString(log));
        }
        try {
          client.lastBlockNumber().get(1, TimeUnit.SECONDS);
          if (Files.exists(dir.resolve("exec.sock"))) {
            break; // the block channel listens last
          }
          throw new IOException("the block channel is not listening yet");
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the master did not answer within " + START_DEADLINE + ": "
                + Files.readString(log), notYet);
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // its socket is not there yet
        }
      }
      return new PackagedMaster(process, dir, log, transports.endpoint(dir.resolve("exec.sock").toString()), client,
          port, URI.create("http://127.0.0.1:" + metricsPort + "/metrics"));
    } catch (Exception | Error e) {
      if (client != null) {
        client.close();
      }
      process.destroyForcibly();
      throw e;
    }
  }

  /**
   * The JVM options in system property {@code property}, split at white space (none when unset):
   * e.g. {@code -Dpeerlink.bench.sync.jvm="-XX:StartFlightRecording=filename=node-%p.jfr"} to profile.
   */
  static List<String> jvmOptions(String property) {
    List<String> out = new ArrayList<>();
    for (String option : System.getProperty(property, "").trim().split("\\s+")) {
      if (!option.isEmpty()) {
        out.add(option);
      }
    }
    return out;
  }

  /** A sample of the master's {@code /metrics}, e.g. {@code peerlink_chain_group_blocks_count}; NaN when absent. */
  double metric(String name) throws IOException, InterruptedException {
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : page.body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN; // a master from before the metric (e.g. -Dpeerlink.jar of an older build)
  }

  /** What the process has printed so far (its log). */
  String logText() throws IOException {
    return Files.readString(log);
  }

  /** The chain store's directory: where the master fsyncs. */
  Path storage() {
    return dir.resolve("data").resolve("chain");
  }

  /** Waits until the master's status shows {@code block}; the time it did, from {@link System#nanoTime}. */
  long awaitBlock(long block, Duration timeout) throws Exception {
    return awaitBlock(block, timeout, 200_000); // a status round trip every ~0.25 ms: the end is seen within that
  }

  /** As {@link #awaitBlock(long, Duration)}, asking every {@code pollNanos}. */
  long awaitBlock(long block, Duration timeout, long pollNanos) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long last = client.lastBlockNumber().get(5, TimeUnit.SECONDS);
      long now = System.nanoTime();
      if (last >= block) {
        return now;
      }
      if (now > deadline || !process.isAlive()) {
        throw new IllegalStateException("the master shows block " + last + ", not " + block + ", after " + timeout
            + "; its log: " + log);
      }
      LockSupport.parkNanos(pollNanos);
    }
  }

  /**
   * CPU seconds the master's process has used so far, user and system, all threads (JIT and GC
   * included); NaN where the platform does not tell ({@link ProcessHandle.Info#totalCpuDuration}).
   */
  double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    client.close();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
