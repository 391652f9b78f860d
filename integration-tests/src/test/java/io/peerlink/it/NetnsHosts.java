package io.peerlink.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts as Linux network namespaces on one bridge, addressed 198.18.0.100 and up (the
 * benchmarking range: never a private or public range). Everything created is removed by
 * {@link #close()}, which tests call from try-with-resources so it runs when they fail too.
 */
final class NetnsHosts implements AutoCloseable {

  /** The subnet's first host address; host i gets {@code BASE + i}. */
  static final int BASE = 100;

  private final String tag;
  private final String bridge;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> hostSideLinks = new ArrayList<>();

  /** Creates {@code count} hosts. */
  NetnsHosts(int count) throws IOException, InterruptedException {
    this.tag = "pl" + (ProcessHandle.current().pid() % 100_000);
    this.bridge = tag + "br";
    try {
      ip("link", "add", bridge, "type", "bridge");
      ip("link", "set", bridge, "up");
      for (int i = 0; i < count; i++) {
        String ns = "peerlink-it-" + tag + "-" + i;
        String host = tag + "v" + i;
        String inside = tag + "p" + i;
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("link", "add", host, "type", "veth", "peer", "name", inside);
        hostSideLinks.add(host);
        ip("link", "set", inside, "netns", ns);
        ip("link", "set", host, "master", bridge);
        ip("link", "set", host, "up");
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
        ip("netns", "exec", ns, "ip", "addr", "add", address(i) + "/24", "dev", inside);
        ip("netns", "exec", ns, "ip", "link", "set", inside, "up");
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Host i's address. */
  static String address(int i) {
    return "198.18.0." + (BASE + i);
  }

  /** The command prefix that runs a program on host i. */
  List<String> exec(int i) {
    return List.of("ip", "netns", "exec", namespaces.get(i));
  }

  /** Cuts host i off the bridge. */
  void linkDown(int i) throws IOException, InterruptedException {
    ip("link", "set", hostSideLinks.get(i), "down");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (String ns : namespaces) {
      quietly("netns", "del", ns); // deleting a namespace deletes its veth pair
    }
    namespaces.clear();
    for (String link : hostSideLinks) {
      quietly("link", "del", link);
    }
    hostSideLinks.clear();
    quietly("link", "del", bridge);
  }

  /** Why namespaces cannot be used here, or null when they can. */
  static String unavailableReason() {
    try {
      String status = Files.readString(Path.of("/proc/self/status"), StandardCharsets.UTF_8);
      String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ?").split("\\s+")[1];
      if (!"0".equals(uid)) {
        return "creating network namespaces needs root; running as uid " + uid;
      }
      String probe = "peerlink-probe-" + ProcessHandle.current().pid();
      Run add = run(List.of("ip", "netns", "add", probe));
      if (add.code != 0) {
        return "'ip netns add' failed: " + add.output.strip();
      }
      run(List.of("ip", "netns", "del", probe));
      return null;
    } catch (IOException e) {
      return "cannot run 'ip' (iproute2): " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while probing";
    }
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    Run r = run(cmd);
    if (r.code != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (" + r.code + "): " + r.output.strip());
    }
  }

  private static void quietly(String... args) throws InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    try {
      run(cmd);
    } catch (IOException e) {
      // best effort: it may already be gone
    }
  }

  private record Run(int code, String output) {
  }

  private static Run run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
    }
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
