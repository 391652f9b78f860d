package io.peerlink.transport.api.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.ListenerLimits;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Admission under the caps of ListenerLimits: total, per address, and the slots kept for configured peers. */
class ListenerCountersTest {

  private static final ListenerLimits LIMITS = new ListenerLimits(Duration.ZERO, Duration.ZERO, 4, 2, 8);

  @Test
  void theTotalCapRefusesAndAReleasedSlotIsTakenAgain() throws Exception {
    ListenerCounters c = new ListenerCounters();
    for (int i = 1; i <= 4; i++) {
      assertNull(c.admit(InetAddress.getByName("192.0.2." + i), LIMITS, true));
    }
    String refused = c.admit(InetAddress.getByName("192.0.2.9"), LIMITS, true);
    assertNotNull(refused);
    assertTrue(refused.contains("4 connections open") && refused.contains("maxConnections"), refused);
    assertEquals(4, c.snapshot().active(), "a refusal takes no slot");
    c.release(InetAddress.getByName("192.0.2.1"), LIMITS, true);
    assertNull(c.admit(InetAddress.getByName("192.0.2.9"), LIMITS, true));
  }

  @Test
  void oneAddressGetsAtMostItsShareAndTheMapForgetsAddressesThatLeft() throws Exception {
    ListenerCounters c = new ListenerCounters();
    InetAddress a = InetAddress.getByName("192.0.2.1");
    assertNull(c.admit(a, LIMITS, true));
    assertNull(c.admit(a, LIMITS, true));
    String refused = c.admit(a, LIMITS, true);
    assertTrue(refused != null && refused.startsWith("192.0.2.1 has 2 connections open"), refused);
    assertNull(c.admit(InetAddress.getByName("192.0.2.2"), LIMITS, true), "other addresses still get in");
    c.release(a, LIMITS, true);
    c.release(a, LIMITS, true);
    assertNull(c.admit(a, LIMITS, true));
    assertEquals(2, c.snapshot().active());
  }

  @Test
  void strangersCannotTakeTheReservedSlots() throws Exception {
    ListenerLimits reserving = LIMITS.withMaxConnections(4, 4).withReservedConnections(1);
    ListenerCounters c = new ListenerCounters();
    InetAddress stranger = InetAddress.getByName("198.51.100.1");
    for (int i = 0; i < 3; i++) {
      assertNull(c.admit(stranger, reserving, false));
    }
    String refused = c.admit(stranger, reserving, false);
    assertTrue(refused != null && refused.contains("not configured peers"), refused);
    assertNull(c.admit(InetAddress.getByName("192.0.2.1"), reserving, true), "the kept slot is a peer's");
    c.release(stranger, reserving, false);
    assertNull(c.admit(stranger, reserving, false), "a stranger that left gives its slot back");
  }

  @Test
  void withoutAddressesOnlyTheTotalApplies() {
    ListenerCounters c = new ListenerCounters();
    for (int i = 0; i < 4; i++) {
      assertNull(c.admit(null, LIMITS, true), "a local socket has no address to cap");
    }
    assertNotNull(c.admit(null, LIMITS, true));
  }

  @Test
  void theCountsReachTheSnapshot() {
    ListenerCounters c = new ListenerCounters();
    c.accepted();
    c.refusedByPolicy();
    c.refusedOverLimit();
    c.closedIdle();
    c.closedPartialFrame();
    c.badFrame();
    c.handlerError();
    c.readPaused();
    assertEquals(new io.peerlink.transport.api.ListenerStats(1, 0, 1, 1, 1, 1, 1, 1, 1), c.snapshot());
  }
}
