package io.peerlink.it.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Live heap, measured after full collections so that garbage does not count. */
final class HeapProbe {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private HeapProbe() {
  }

  /** Heap in use after collecting until it stops shrinking (at most 5 collections), in MB. */
  static double liveMb() {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      long used = MEMORY.getHeapMemoryUsage().getUsed();
      if (used >= best - 64 * 1024) {
        best = Math.min(best, used);
        break;
      }
      best = used;
    }
    return best / (1024.0 * 1024.0);
  }
}
