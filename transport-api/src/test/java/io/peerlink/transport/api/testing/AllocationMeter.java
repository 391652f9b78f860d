package io.peerlink.transport.api.testing;

import java.lang.management.ManagementFactory;

/**
 * Counts the bytes the current thread allocates on the heap, so fuzz tests can check that a
 * decoder's memory follows the bytes it was given and never a length an attacker announced.
 *
 * <p>Uses HotSpot's per-thread allocation counter ({@code com.sun.management.ThreadMXBean}); where
 * that is missing, {@link #isSupported()} is false and callers skip the check.
 */
public final class AllocationMeter {

  private static final com.sun.management.ThreadMXBean THREADS = threads();

  private AllocationMeter() {
  }

  private static com.sun.management.ThreadMXBean threads() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean) {
      com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      if (t.isThreadAllocatedMemorySupported()) {
        t.setThreadAllocatedMemoryEnabled(true);
        return t;
      }
    }
    return null;
  }

  /** Whether this JVM counts allocations per thread. */
  public static boolean isSupported() {
    return THREADS != null;
  }

  /** Bytes allocated by the current thread so far; 0 when unsupported. */
  public static long allocatedBytes() {
    return THREADS == null ? 0 : THREADS.getCurrentThreadAllocatedBytes();
  }

  /** Work whose allocations are measured. */
  @FunctionalInterface
  public interface Work<T> {
    /** Runs the work. */
    T run() throws Exception;
  }

  /** What a measured piece of work returned or threw, and what it allocated. */
  public record Measured<T>(T value, Throwable thrown, long bytes) {
  }

  /** Runs {@code work} on this thread and counts what it allocated; a throw is captured, not rethrown. */
  public static <T> Measured<T> measure(Work<T> work) {
    long before = allocatedBytes();
    T value = null;
    Throwable thrown = null;
    try {
      value = work.run();
    } catch (Exception e) {
      thrown = e;
    }
    return new Measured<>(value, thrown, allocatedBytes() - before);
  }
}
