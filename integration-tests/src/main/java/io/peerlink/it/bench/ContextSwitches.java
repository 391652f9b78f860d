package io.peerlink.it.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's context switches so far, voluntary and not, summed over its threads (Linux
 * /proc): how many times threads gave up or lost the CPU. Per round trip it counts the thread
 * hand-offs a request takes. -1 where /proc is missing.
 */
final class ContextSwitches {

  private ContextSwitches() {
  }

  static long now() {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return -1;
    }
    long sum = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path t : threads) {
        try {
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended while being read: its switches are gone either way
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }
}
