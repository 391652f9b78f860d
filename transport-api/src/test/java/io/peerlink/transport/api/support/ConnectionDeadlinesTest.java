package io.peerlink.transport.api.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The idle and partial-frame deadlines, on a clock the test moves. */
class ConnectionDeadlinesTest {

  private static final long MS = 1_000_000;

  @Test
  void idleCountsFromTheLastTrafficAndTheNearestDeadlineWins() {
    ConnectionDeadlines d = ConnectionDeadlines.of(new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(10),
        10, 10, 10));
    long t0 = 1_000_000 * MS;
    d.traffic(t0);
    assertFalse(d.idleExpired(t0 + 29_999 * MS));
    assertTrue(d.idleExpired(t0 + 30_000 * MS));
    assertEquals(30_000, d.millisToNearest(false, 0, t0), "no frame begun: the idle deadline");
    assertEquals(10_000, d.millisToNearest(true, t0, t0), "a frame begun now: its deadline is nearer");
    assertEquals(1, d.millisToNearest(true, t0, t0 + 9_999 * MS + 1), "rounded up, never 0 before it is due");
    assertEquals(0, d.millisToNearest(true, t0, t0 + 10_000 * MS), "due");
    assertTrue(d.partialExpired(t0, t0 + 10_000 * MS));
    d.traffic(t0 + 20_000 * MS);
    assertFalse(d.idleExpired(t0 + 30_000 * MS), "traffic moves the idle deadline on");
  }

  @Test
  void noDeadlinesForADialledConnectionOrWhenOff() {
    ConnectionDeadlines none = ConnectionDeadlines.none();
    none.traffic(0);
    assertFalse(none.any());
    assertEquals(-1, none.millisToNearest(true, 0, Long.MAX_VALUE));
    assertFalse(none.idleExpired(Long.MAX_VALUE));
    ConnectionDeadlines off = ConnectionDeadlines.of(new ListenerLimits(Duration.ZERO, Duration.ZERO, 10, 10, 10));
    assertFalse(off.partialExpired(0, Long.MAX_VALUE));
    assertEquals(-1, off.millisToNearest(true, 0, 0));
  }

  @Test
  void theErrorsNameTheEndpointAndAreTimeouts() {
    ConnectionDeadlines d = ConnectionDeadlines.of(new ListenerLimits(Duration.ofSeconds(2), Duration.ofSeconds(1),
        10, 10, 10));
    Endpoint peer = Endpoint.parse("tcp://192.0.2.1:19201");
    TransportException idle = d.idleError(peer);
    assertEquals(TransportException.Kind.TIMED_OUT, idle.kind());
    assertTrue(idle.getMessage().startsWith("tcp://192.0.2.1:19201: no traffic for 2000 ms"), idle.getMessage());
    TransportException partial = d.partialFrameError(peer);
    assertEquals(TransportException.Kind.TIMED_OUT, partial.kind());
    assertTrue(partial.getMessage().contains("still incomplete 1000 ms"), partial.getMessage());
  }
}
