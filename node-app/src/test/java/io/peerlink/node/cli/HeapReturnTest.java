package io.peerlink.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * {@code run} turns on G1's periodic collection, so heap grown under a range flood is given back
 * once the master is idle, unless the operator set the flag (or the JVM does not run G1).
 */
class HeapReturnTest {

  private static final HotSpotDiagnosticMXBean HOTSPOT = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

  @Test
  void periodicCollectionIsTurnedOnUnderG1UnlessTheOperatorChose() {
    boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(b -> b.getName().startsWith("G1"));
    VMOption before = HOTSPOT.getVMOption("G1PeriodicGCInterval");
    boolean applies = g1 && before.getOrigin() == VMOption.Origin.DEFAULT;

    assertEquals(applies, HeapReturn.enable(), "G1: " + g1 + ", flag before: " + before);
    VMOption after = HOTSPOT.getVMOption("G1PeriodicGCInterval");
    assertEquals(applies ? Long.toString(HeapReturn.INTERVAL.toMillis()) : before.getValue(), after.getValue());

    // Once set (by the operator or by a first call), a second call leaves it as it is.
    assertFalse(HeapReturn.enable());
    assertEquals(after.getValue(), HOTSPOT.getVMOption("G1PeriodicGCInterval").getValue());
  }
}
