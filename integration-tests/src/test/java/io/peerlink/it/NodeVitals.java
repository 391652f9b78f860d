package io.peerlink.it;

import io.peerlink.node.testing.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A node process's file descriptors ({@code /proc/PID/fd}) and live heap ({@code jcmd}). */
final class NodeVitals {

  private static final Pattern USED = Pattern.compile("^\\s*(?:def new|tenured|PSYoungGen|ParOldGen|garbage-first)"
      + "[^\\n]*?used (\\d+)K", Pattern.MULTILINE);

  private final long pid;
  private final Path jcmd;

  NodeVitals(long pid) {
    this.pid = pid;
    this.jcmd = Path.of(NodeProcess.java()).resolveSibling("jcmd");
  }

  /** Open file descriptors now. */
  long fds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return s.count();
    }
  }

  /** Heap in use right after a full GC, in KiB: the live set. */
  long liveHeapKiB() throws IOException, InterruptedException {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = USED.matcher(info);
    long used = 0;
    boolean found = false;
    while (m.find()) {
      used += Long.parseLong(m.group(1));
      found = true;
    }
    if (!found) {
      throw new AssertionError("no heap usage in jcmd " + pid + " GC.heap_info:\n" + info);
    }
    return used;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("jcmd " + pid + " " + command + " did not finish within 30 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new AssertionError("jcmd " + pid + " " + command + " failed (" + p.exitValue() + "):\n" + out);
      }
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
