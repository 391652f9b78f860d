package io.peerlink.node.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code java -jar peerlink.jar ...} as a separate process. */
final class JarProcess {

  private JarProcess() {
  }

  /** The packaged jar; failsafe passes its path. */
  static Path jar() {
    String p = System.getProperty("it.peerlink.jar", "target/peerlink.jar");
    Path jar = Path.of(p);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run the integration tests after `package`");
    }
    return jar;
  }

  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Starts the jar with output to files (no pipe can fill up and block it). */
  static Process start(Path stdout, Path stderr, String... args) throws IOException {
    return new ProcessBuilder(command(args)).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
  }

  /** Runs the jar to completion, within a deadline. */
  static Result run(String... args) throws IOException, InterruptedException {
    return run(Duration.ofSeconds(60), args);
  }

  static Result run(Duration deadline, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("pl-out", ".txt");
    Path err = Files.createTempFile("pl-err", ".txt");
    try {
      Process p = start(out, err, args);
      if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("peerlink " + String.join(" ", args) + " did not finish within " + deadline
            + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** A finished process. */
  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }
}
