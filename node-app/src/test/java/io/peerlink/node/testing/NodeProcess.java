package io.peerlink.node.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The packaged node ({@code java -jar peerlink.jar ...}) as a separate process, the way operators
 * run it: the one harness of node-app's {@code *IT} tests and of integration-tests (which get it
 * through node-app's test-jar). Standard output and standard error are read line by line into
 * memory for assertions (each kept apart, and both in the order they arrived) and copied to
 * {@code target/it-logs/NAME-PID.log} for post-mortems. Every wait has a deadline.
 */
public final class NodeProcess implements AutoCloseable {

  /** How long {@link #close()} gives a process to end on SIGTERM before SIGKILL. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final String name;
  private final Process process;
  private final List<Line> lines = new ArrayList<>(); // guarded by itself
  private final PrintWriter log;
  private final Thread outPump;
  private final Thread errPump;

  /** One line of output, and whether it came on standard error. */
  private record Line(boolean err, String text) {
  }

  private NodeProcess(String name, Process process, Path logFile) throws IOException {
    this.name = name;
    this.process = process;
    this.log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
    this.outPump = pump(process.getInputStream(), false);
    this.errPump = pump(process.getErrorStream(), true);
  }

  // A pipe that nobody reads fills up and blocks the process: both are drained from the start.
  private Thread pump(InputStream stream, boolean err) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String text;
        while ((text = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(new Line(err, text));
            log.println(text);
          }
        }
      } catch (IOException e) {
        // the process ended; what was read is kept
      }
    }, "it-" + (err ? "stderr-" : "stdout-") + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  // ---- where the jar is, and the command that starts it ----

  /**
   * The shaded jar: {@code -Dpeerlink.jar=FILE} (node-app's failsafe passes its own), else
   * {@code target/peerlink.jar} when run in node-app, else node-app's beside this module.
   */
  public static Path jar() {
    String given = System.getProperty("peerlink.jar");
    Path p = given != null ? Path.of(given)
        : Files.isRegularFile(Path.of("target", "peerlink.jar")) ? Path.of("target", "peerlink.jar")
        : Path.of("..", "node-app", "target", "peerlink.jar");
    p = p.toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("the packaged node is missing at " + p
          + ": build it first (./mvnw -o -pl node-app -am package -DskipTests -DskipFuzz)");
    }
    return p;
  }

  /** The JVM that runs these tests. */
  public static String java() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** {@code java -Xmx.. -jar peerlink.jar}: small heaps, so three nodes fit a 2-core CI machine. */
  public static List<String> javaCommand() {
    List<String> c = jvm();
    c.add("-jar");
    c.add(jar().toString());
    return c;
  }

  /** The node's main class on a class path of the jar plus {@code extra} jars: how a transport is dropped in. */
  public static List<String> javaCommand(List<Path> extra) {
    List<String> c = jvm();
    StringBuilder cp = new StringBuilder(jar().toString());
    for (Path p : extra) {
      cp.append(java.io.File.pathSeparatorChar).append(p.toAbsolutePath());
    }
    c.addAll(List.of("-cp", cp.toString(), "io.peerlink.node.Main"));
    return c;
  }

  private static List<String> jvm() {
    return new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
  }

  // ---- starting and running ----

  /**
   * Starts the jar.
   *
   * @param prefix a command to run it under (e.g. {@code ip netns exec ns}), or empty
   * @param args the CLI arguments
   */
  public static NodeProcess start(String name, List<String> prefix, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(javaCommand());
    command.addAll(args);
    return startCommand(name, command);
  }

  /** Starts the jar with no prefix. */
  public static NodeProcess start(String name, String... args) throws IOException {
    return start(name, List.of(), List.of(args));
  }

  /** Starts an exact command line (e.g. from {@link #javaCommand(List)}, or another program). */
  public static NodeProcess startCommand(String name, List<String> command) throws IOException {
    Path logDir = Path.of("target", "it-logs");
    Files.createDirectories(logDir);
    Process p = new ProcessBuilder(command).start();
    return new NodeProcess(name, p, logDir.resolve(name + "-" + p.pid() + ".log"));
  }

  /** Runs an exact command line to its end. */
  public static Result runCommand(String name, Duration timeout, List<String> command) throws Exception {
    try (NodeProcess p = startCommand(name, command)) {
      int code = p.waitFor(timeout);
      return p.result(code);
    }
  }

  /** Runs a one-shot command to its end. */
  public static Result run(String name, Duration timeout, List<String> prefix, List<String> args) throws Exception {
    try (NodeProcess p = start(name, prefix, args)) {
      int code = p.waitFor(timeout);
      return p.result(code);
    }
  }

  /** Runs a one-shot command with no prefix. */
  public static Result run(String name, Duration timeout, String... args) throws Exception {
    return run(name, timeout, List.of(), List.of(args));
  }

  private Result result(int code) {
    return new Result(code, output(), stdout(), stderr());
  }

  /**
   * What a one-shot command did.
   *
   * @param output standard output and standard error as they arrived
   */
  public record Result(int exitCode, String output, String stdout, String stderr) {

    /** Whether any line of the output matches {@code regex}. */
    public boolean has(String regex) {
      return Pattern.compile(regex, Pattern.MULTILINE).matcher(output).find();
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  // ---- watching a running process ----

  /** Waits for a line matching {@code regex} and returns it. */
  public String awaitLine(String regex, Duration timeout) {
    return awaitLines(regex, 1, timeout);
  }

  /**
   * Waits until {@code count} lines match {@code regex} and returns the last of them; fails at
   * once, with the output, if the process has ended without printing them.
   */
  public String awaitLines(String regex, int count, Duration timeout) {
    Pattern p = Pattern.compile(regex);
    try {
      return await(name + ": " + count + " lines matching /" + regex + "/")
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .failFast("the process ended", () -> !isAlive() && !outPump.isAlive() && !errPump.isAlive()
              && nthMatch(p, count).isEmpty())
          .until(() -> nthMatch(p, count), Optional::isPresent)
          .orElseThrow();
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError(name + ": " + matching(regex) + " of " + count + " lines matching /" + regex
          + "/ within " + timeout.toMillis() + " ms (process "
          + (process.isAlive() ? "alive" : "exited " + process.exitValue()) + "). Output:\n" + output(), e);
    }
  }

  private Optional<String> nthMatch(Pattern p, int n) {
    synchronized (lines) {
      return lines.stream().map(Line::text).filter(l -> p.matcher(l).find()).skip(n - 1L).findFirst();
    }
  }

  /** How many lines so far match {@code regex}. */
  public long matching(String regex) {
    Pattern p = Pattern.compile(regex);
    synchronized (lines) {
      return lines.stream().filter(l -> p.matcher(l.text()).find()).count();
    }
  }

  /** The first line matching {@code regex}, if any yet. */
  public Optional<String> line(String regex) {
    return nthMatch(Pattern.compile(regex), 1);
  }

  /** Everything printed so far, both streams, in the order the lines arrived. */
  public String output() {
    synchronized (lines) {
      return lines.stream().map(Line::text).collect(Collectors.joining("\n"));
    }
  }

  /** What was printed on standard output so far. */
  public String stdout() {
    return stream(false);
  }

  /** What was printed on standard error (the log) so far. */
  public String stderr() {
    return stream(true);
  }

  private String stream(boolean err) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.err() == err).map(Line::text).collect(Collectors.joining("\n"));
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  // ---- ending it ----

  /** Waits for the process to end; fails with its output when it does not. */
  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.toHandle().destroyForcibly();
      throw new AssertionError(name + " did not exit within " + timeout.toMillis() + " ms. Output:\n" + output());
    }
    joinPumps();
    return process.exitValue();
  }

  /** SIGTERM, then waits for the exit; what the shutdown hooks print is kept. */
  public int stop(Duration timeout) throws InterruptedException {
    // Through the handle: Process.destroy() also closes the pipes, losing the shutdown's last lines.
    process.toHandle().destroy();
    return waitFor(timeout);
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  private void joinPumps() throws InterruptedException {
    outPump.join(TimeUnit.SECONDS.toMillis(5));
    errPump.join(TimeUnit.SECONDS.toMillis(5));
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.toHandle().destroy();
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.toHandle().destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    joinPumps();
    synchronized (lines) {
      log.close();
    }
  }
}
