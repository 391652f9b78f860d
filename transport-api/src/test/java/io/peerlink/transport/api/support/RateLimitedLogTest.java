package io.peerlink.transport.api.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A flood is one line per interval, and the next line says how many were left out. */
class RateLimitedLogTest {

  @Test
  void firstIsLoggedThenOneLinePerIntervalWithTheCountLeftOut() {
    List<String> lines = new ArrayList<>();
    AtomicLong now = new AtomicLong(1_000);
    RateLimitedLog log = new RateLimitedLog((line, thrown) -> lines.add(line), Duration.ofSeconds(10), now::get);

    assertTrue(log.log(() -> "refused 1"));
    for (int i = 2; i <= 500; i++) {
      now.addAndGet(Duration.ofMillis(10).toNanos()); // 500 events in 5 s
      int n = i;
      assertFalse(log.log(() -> "refused " + n));
    }
    assertEquals(List.of("refused 1"), lines, "within the interval only the first is logged");

    now.addAndGet(Duration.ofSeconds(6).toNanos());
    log.log(() -> "refused 501");
    assertEquals(2, lines.size());
    assertTrue(lines.get(1).startsWith("refused 501"), lines.get(1));
    assertTrue(lines.get(1).contains("499 more"), "says how many were left out: " + lines.get(1));

    now.addAndGet(Duration.ofSeconds(11).toNanos());
    log.log(() -> "refused 502");
    assertEquals("refused 502", lines.get(2), "nothing left out since: no count");
  }

  @Test
  void aCallerMayWriteItsOwnSummaryAndTheThrowableGoesWithTheLine() {
    List<String> lines = new ArrayList<>();
    List<Throwable> thrown = new ArrayList<>();
    long[] now = {0};
    RateLimitedLog log = new RateLimitedLog((line, t) -> {
      lines.add(line);
      thrown.add(t);
    }, Duration.ofSeconds(60), () -> now[0]);
    IllegalStateException bug = new IllegalStateException("bug");
    for (int i = 0; i < 1_000; i++) {
      log.log(n -> n == 0 ? "first" : n + " more", i == 0 ? bug : null);
      now[0] += 1_000_000; // 1 ms apart: all 1,000 within the minute
    }
    assertEquals(List.of("first"), lines);
    assertEquals(bug, thrown.get(0), "the stack trace goes with the line logged");

    now[0] = 61_000_000_000L;
    log.log(n -> n == 0 ? "first" : n + " more", null);
    assertEquals("999 more", lines.get(1));
  }
}
