package io.peerlink.node.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a running node give heap back to the operating system after a burst. Serving block ranges
 * allocates fast (every answer decodes its stored blocks and encodes them again), so under a range
 * flood G1 grows the heap towards its default maximum (a quarter of the machine's memory) although
 * the live data stays small (16 MB in the flood benchmark); G1 shrinks the heap only after a
 * concurrent cycle, which a master left idle never starts, so the process kept 600+ MB after the
 * flood ended. A periodic collection ({@code G1PeriodicGCInterval}, JEP 346, a manageable flag)
 * starts that cycle once the master has been idle for {@link #INTERVAL}. Set only when the JVM runs
 * G1 and the operator did not set the flag; {@code -XX:G1PeriodicGCInterval=0} turns it off.
 */
final class HeapReturn {

  static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final String FLAG = "G1PeriodicGCInterval";
  private static final Logger LOG = LoggerFactory.getLogger(HeapReturn.class);

  private HeapReturn() {
  }

  /** Turns the periodic collection on, if it applies; returns whether it did. */
  static boolean enable() {
    boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .anyMatch(n -> n.startsWith("G1"));
    if (!g1) {
      return false;
    }
    try {
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      VMOption option = hotspot.getVMOption(FLAG);
      if (option.getOrigin() != VMOption.Origin.DEFAULT) {
        return false; // the operator's choice stands
      }
      hotspot.setVMOption(FLAG, Long.toString(INTERVAL.toMillis()));
      return true;
    } catch (IllegalArgumentException | SecurityException e) {
      LOG.debug("cannot set {}: {}; the heap is given back only as the JVM decides", FLAG, e.toString());
      return false;
    }
  }
}
