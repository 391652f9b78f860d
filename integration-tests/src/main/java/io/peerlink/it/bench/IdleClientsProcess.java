package io.peerlink.it.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Drives an {@link IdleClients} child JVM: every command waits for its answer, with a deadline. */
final class IdleClientsProcess implements AutoCloseable {

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private IdleClientsProcess(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          lines.add(l);
        }
      } catch (IOException e) {
        lines.add("error: " + e);
      }
      lines.add("error: the idle-clients process ended");
    }, "idle-clients-out");
    pump.setDaemon(true);
    pump.start();
  }

  static IdleClientsProcess start(String host, int port) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), IdleClients.class.getName(), host, Integer.toString(port)));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return new IdleClientsProcess(pb.start());
  }

  /** Opens {@code n} more idle connections; returns how many the process holds. */
  int open(int n, Duration deadline) throws IOException, InterruptedException {
    String answer = command("open " + n, deadline);
    if (!answer.startsWith("opened ")) {
      throw new IOException("idle clients could not open " + n + " connections: " + answer);
    }
    return Integer.parseInt(answer.substring("opened ".length()));
  }

  /** Closes every idle connection. */
  void closeAll(Duration deadline) throws IOException, InterruptedException {
    String answer = command("close", deadline);
    if (!answer.equals("closed")) {
      throw new IOException("idle clients could not close their connections: " + answer);
    }
  }

  private String command(String cmd, Duration deadline) throws IOException, InterruptedException {
    commands.write(cmd + "\n");
    commands.flush();
    String answer = lines.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (answer == null) {
      throw new IOException("idle clients did not answer '" + cmd + "' within " + deadline.toSeconds() + " s");
    }
    return answer;
  }

  @Override
  public void close() {
    try {
      commands.close(); // end of input: the child closes everything and exits
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
