package io.peerlink.discovery.core.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.testing.LogCapture;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class PeerHealthTest {

  private final AtomicLong now = new AtomicLong(123_456_789L);
  private final PeerHealth health = new PeerHealth(DiscoveryOptions.DEFAULT_BACKOFF_STEPS, now::get);
  private final Endpoint peer = Endpoint.parse("tcp://127.0.0.1:19201");

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  private void fail(int times) {
    for (int i = 0; i < times; i++) {
      health.recordFailure(peer, "refused: connection refused");
    }
  }

  @Test
  void threeFailuresSkipTenSecondsFiveThirtyTenSixty() {
    fail(2);
    assertFalse(health.shouldSkip(peer), "two failures are not enough");
    fail(1);
    assertTrue(health.shouldSkip(peer));
    assertEquals(Duration.ofSeconds(10), health.remainingBackoff(peer));
    advance(Duration.ofSeconds(10).minusNanos(1));
    assertTrue(health.shouldSkip(peer));
    advance(Duration.ofNanos(1));
    assertFalse(health.shouldSkip(peer), "probed again after 10 s");

    fail(1); // 4: still the first step
    assertEquals(Duration.ofSeconds(10), health.remainingBackoff(peer));
    advance(Duration.ofSeconds(10));
    fail(1); // 5
    assertEquals(Duration.ofSeconds(30), health.remainingBackoff(peer));
    advance(Duration.ofSeconds(30));
    fail(4); // 9
    assertEquals(Duration.ofSeconds(30), health.remainingBackoff(peer));
    fail(1); // 10
    assertEquals(Duration.ofSeconds(60), health.remainingBackoff(peer));
    advance(Duration.ofSeconds(60));
    fail(5); // 15: the last step stays
    assertEquals(Duration.ofSeconds(60), health.remainingBackoff(peer));
    assertEquals(15, health.consecutiveFailures(peer));
  }

  @Test
  void aSuccessResetsTheCount() {
    fail(4);
    assertTrue(health.shouldSkip(peer));
    health.recordSuccess(peer);
    assertFalse(health.shouldSkip(peer));
    assertEquals(0, health.consecutiveFailures(peer));
    fail(2);
    assertFalse(health.shouldSkip(peer), "counting starts over");
  }

  @Test
  void aSkippedPeerIsLoggedOncePerBackoff() {
    try (LogCapture log = new LogCapture(PeerHealth.class)) {
      fail(3);
      for (int i = 0; i < 5; i++) {
        assertTrue(health.shouldSkip(peer));
        advance(Duration.ofSeconds(1));
      }
      assertEquals(1, log.messages(Level.WARNING).size(), log.messages()::toString);
      assertTrue(log.messages(Level.WARNING).get(0).contains(peer.toString()));
      assertTrue(log.messages(Level.WARNING).get(0).contains("3 consecutive failures"));

      advance(Duration.ofSeconds(5));
      assertFalse(health.shouldSkip(peer));
      fail(1); // a new backoff
      assertTrue(health.shouldSkip(peer));
      assertTrue(health.shouldSkip(peer));
      assertEquals(2, log.messages(Level.WARNING).size(), log.messages()::toString);
    }
  }

  @Test
  void stepsAreConfigurableAndValidated() {
    PeerHealth quick = new PeerHealth(List.of(BackoffStep.of(1, Duration.ofMillis(500))), now::get);
    quick.recordFailure(peer, "timed out");
    assertTrue(quick.shouldSkip(peer));
    assertEquals(Duration.ofMillis(500), quick.remainingBackoff(peer));

    PeerHealth never = new PeerHealth(List.of(), now::get);
    for (int i = 0; i < 100; i++) {
      never.recordFailure(peer, "refused");
    }
    assertFalse(never.shouldSkip(peer));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PeerHealth(
        List.of(BackoffStep.of(5, Duration.ofSeconds(1)), BackoffStep.of(3, Duration.ofSeconds(2))), now::get));
    assertTrue(e.getMessage().contains("backoffSteps"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BackoffStep.of(0, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BackoffStep.of(3, Duration.ZERO));
    assertTrue(e.getMessage().contains("PT0S"), e.getMessage());
  }
}
