package io.peerlink.it;

import java.io.BufferedReader;
import java.io.IOException;
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

/**
 * The packaged node ({@code java -jar peerlink.jar ...}) as a separate process, the way operators
 * run it. Output is kept in memory for assertions and copied to a log file under
 * {@code target/it-logs} for post-mortems. Every wait has a deadline.
 */
final class NodeProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>(); // guarded by itself
  private final Thread pump;

  private NodeProcess(String name, Process process, Path log) throws IOException {
    this.name = name;
    this.process = process;
    PrintWriter logWriter = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
    this.pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
           PrintWriter w = logWriter) {
        String line;
        while ((line = r.readLine()) != null) {
          w.println(line);
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // the process ended; what was read is kept
      }
    }, "it-output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts the jar.
   *
   * @param prefix a command to run it under (e.g. {@code ip netns exec ns}), or empty
   * @param args the CLI arguments
   */
  static NodeProcess start(String name, List<String> prefix, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(Jar.javaCommand());
    command.addAll(args);
    return startCommand(name, command);
  }

  /** Starts an exact command line (e.g. from {@link Jar#javaCommand(List)}). */
  static NodeProcess startCommand(String name, List<String> command) throws IOException {
    Path logDir = Path.of("target", "it-logs");
    Files.createDirectories(logDir);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new NodeProcess(name, p, logDir.resolve(name + "-" + p.pid() + ".log"));
  }

  /** Starts the jar with no prefix. */
  static NodeProcess start(String name, String... args) throws IOException {
    return start(name, List.of(), List.of(args));
  }

  /** Runs a one-shot command to its end. */
  static Result run(String name, Duration timeout, List<String> prefix, List<String> args) throws Exception {
    try (NodeProcess p = start(name, prefix, args)) {
      int code = p.waitFor(timeout);
      return new Result(code, p.output());
    }
  }

  /** Runs a one-shot command with no prefix. */
  static Result run(String name, Duration timeout, String... args) throws Exception {
    return run(name, timeout, List.of(), List.of(args));
  }

  /** What a one-shot command did. */
  record Result(int exitCode, String output) {
    boolean has(String regex) {
      return Pattern.compile(regex, Pattern.MULTILINE).matcher(output).find();
    }
  }

  /** Waits for a line matching {@code regex} and returns it. */
  String awaitLine(String regex, Duration timeout) throws InterruptedException {
    return awaitLines(regex, 1, timeout);
  }

  /** Waits until {@code count} lines match {@code regex} and returns the last of them. */
  String awaitLines(String regex, int count, Duration timeout) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    int found = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (p.matcher(lines.get(seen)).find() && ++found == count) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !pump.isAlive())) {
          throw new AssertionError(name + ": " + found + " of " + count + " lines matching /" + regex + "/ within "
              + timeout.toMillis() + " ms (process " + (process.isAlive() ? "alive" : "exited " + process.exitValue())
              + "). Output:\n" + output());
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)))));
      }
    }
  }

  /** The first line matching {@code regex}, if any yet. */
  Optional<String> line(String regex) {
    Pattern p = Pattern.compile(regex);
    synchronized (lines) {
      return lines.stream().filter(l -> p.matcher(l).find()).findFirst();
    }
  }

  /** Everything printed so far. */
  String output() {
    synchronized (lines) {
      return lines.stream().collect(Collectors.joining("\n"));
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the process to end; fails with its output when it does not. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not exit within " + timeout.toMillis() + " ms. Output:\n" + output());
    }
    pump.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  /** SIGTERM, then waits for the exit. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    return waitFor(timeout);
  }

  /** SIGKILL: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    }
    pump.join(TimeUnit.SECONDS.toMillis(5));
  }
}
