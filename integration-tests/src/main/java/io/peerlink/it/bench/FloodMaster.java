package io.peerlink.it.bench;

import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;

import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master the floods hit: the packaged node, {@code java -jar node-app/target/peerlink.jar run
 * --master-only}, as a separate process with the JVM's default options, as {@code ./peerlink run}
 * starts it (more with {@code -Dpeerlink.bench.flood.jvm="..."}, e.g. to record a JFR profile). Its peer port is on
 * 127.0.0.1 with 127.0.0.2 configured as its one peer; metrics on a free port. Closing it stops
 * the process (SIGTERM, then SIGKILL after 15 s) and deletes its directory.
 */
final class FloodMaster implements AutoCloseable {

  /** The epoch of the fed chain. */
  static final long EPOCH = 1;

  private static final Duration START_DEADLINE = Duration.ofSeconds(90);
  private static final Pattern METRICS_URL = Pattern.compile("metrics: serving (http://\\S+/metrics)");
  private static final int KEPT_LINES = 400;

  private final Path dir;
  private final Process process;
  private final InetSocketAddress peerPort;
  private final Deque<String> lines = new ArrayDeque<>(); // the newest KEPT_LINES, guarded by itself
  private volatile URI metrics;

  private FloodMaster(Path dir, Process process, InetSocketAddress peerPort) {
    this.dir = dir;
    this.process = process;
    this.peerPort = peerPort;
    Thread pump = new Thread(this::pump, "flood-master-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts the master and waits (at most 90 s) until it serves, then feeds it {@code blocks} blocks. */
  static FloodMaster start(int blocks, Map<String, String> limits) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "plflood");
    int port = LoopbackPorts.pick();
    StringBuilder conf = new StringBuilder()
        .append("node_id = 0\n")
        .append("executor_send_socket_path = \"").append(dir.resolve("send.sock")).append("\"\n")
        .append("executor_receive_socket_path = \"").append(dir.resolve("recv.sock")).append("\"\n")
        .append("peer_rpc_addresses = [\"").append(LoopbackSources.HONEST.getHostAddress()).append(":19200\"]\n")
        .append("peer_rpc_port = ").append(port).append('\n')
        .append("peer_rpc_bind = \"127.0.0.1\"\n")
        .append("storage_path = \"").append(dir.resolve("data")).append("\"\n")
        .append("enable_metrics = true\nmetrics_port = 0\nmetrics.interval = 0\n");
    limits.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
    Path config = dir.resolve("master.conf");
    Files.writeString(config, conf.toString());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    // e.g. -Dpeerlink.bench.flood.jvm="-XX:StartFlightRecording=filename=master.jfr" to profile the master
    command.addAll(PackagedMaster.jvmOptions("peerlink.bench.flood.jvm"));
    command.addAll(List.of("-jar", packagedJar().toString(), "run", "--master-only", "--config", config.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    FloodMaster master = new FloodMaster(dir, p, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    try {
      master.awaitStarted();
      master.feed(blocks);
      return master;
    } catch (Exception | Error e) {
      master.close();
      throw e;
    }
  }

  /**
   * {@code node-app/target/peerlink.jar}: the system property {@code peerlink.jar}, else found from
   * where this class was loaded ({@code integration-tests/target/peerlink-bench.jar} or
   * {@code integration-tests/target/classes}, three levels under the repository root).
   */
  static Path packagedJar() throws IOException {
    String given = System.getProperty("peerlink.jar");
    Path jar;
    if (given != null) {
      jar = Path.of(given);
    } else {
      try {
        Path here = Path.of(FloodMaster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = here.toAbsolutePath().getParent().getParent().getParent().resolve("node-app/target/peerlink.jar");
      } catch (java.net.URISyntaxException | RuntimeException e) {
        throw new IOException("cannot tell where the bench was loaded from; give -Dpeerlink.jar=PATH", e);
      }
    }
    if (!Files.isRegularFile(jar)) {
      throw new IOException("the packaged node is missing at " + jar.toAbsolutePath().normalize()
          + ": build it with ./mvnw -B -DskipTests -pl node-app -am package, or give -Dpeerlink.jar=PATH");
    }
    return jar.toAbsolutePath().normalize();
  }

  /** The peer port. */
  InetSocketAddress peerPort() {
    return peerPort;
  }

  long pid() {
    return process.pid();
  }

  /** The process's resident set, in MB (VmRSS of /proc/PID/status). */
  double rssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
      }
    }
    throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
  }

  /** One scrape of the master's {@code /metrics}. */
  MasterMetrics metrics() throws IOException {
    return MasterMetrics.scrape(metrics);
  }

  /**
   * Waits until the peer port has at most {@code open} connections open (the master's own count),
   * e.g. until it has closed a flood's connections.
   */
  void awaitPeerConnectionsAtMost(double open, Duration deadline) throws Exception {
    awaitMetric("peer_rpc_port connections open <= " + open, deadline,
        m -> m.peerPort("peerlink_listener_connections_open") <= open);
  }

  interface Condition {
    boolean holds(MasterMetrics m);
  }

  /** Scrapes every 50 ms until {@code condition} holds; fails naming {@code what} at the deadline. */
  void awaitMetric(String what, Duration deadline, Condition condition) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      checkAlive();
      if (condition.holds(metrics())) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the master did not reach '" + what + "' within " + deadline.toSeconds() + " s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // poll interval, bounded by the deadline
    }
  }

  /** Fails with the master's last output when its process has ended. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException("the master exited with " + process.exitValue() + "; its last output:\n"
          + output());
    }
  }

  private void awaitStarted() throws Exception {
    long end = System.nanoTime() + START_DEADLINE.toNanos();
    while (metrics == null || !output().contains("node 0 started")) {
      checkAlive();
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the master did not start within " + START_DEADLINE.toSeconds()
            + " s; its output:\n" + output());
      }
      synchronized (lines) {
        lines.wait(100);
      }
    }
  }

  /** Sends commits 1..blocks through the block channel, as the local node would, and waits for the tip. */
  private void feed(int blocks) throws Exception {
    try (TransportRegistry transports = TransportRegistry.installed();
        CommitSender sender = CommitSender.connect(transports, Endpoint.unix(dir.resolve("send.sock")),
            Duration.ofSeconds(5))) {
      for (long from = 1; from <= blocks; from += 1_000) {
        sender.send(CommitSender.syntheticCommits(EPOCH, from, Math.min(blocks, from + 999)), Duration.ofSeconds(30));
      }
    }
    awaitMetric("last block " + blocks, Duration.ofSeconds(60), m -> m.sum("peerlink_chain_last_block") >= blocks);
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Matcher m = METRICS_URL.matcher(line);
        synchronized (lines) {
          if (m.find()) {
            metrics = URI.create(m.group(1));
          }
          lines.addLast(line);
          if (lines.size() > KEPT_LINES) {
            lines.removeFirst();
          }
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended; what was read is kept
    }
  }

  private String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    } finally {
      DiskRates.deleteTree(dir);
    }
  }
}
