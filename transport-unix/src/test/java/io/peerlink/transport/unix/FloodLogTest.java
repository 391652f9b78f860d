package io.peerlink.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A flood is one line per interval, and the next line says how many were left out. */
class FloodLogTest {

  @Test
  void firstIsLoggedThenOneLinePerIntervalWithTheCountLeftOut() {
    List<String> lines = new ArrayList<>();
    AtomicLong now = new AtomicLong(1_000);
    FloodLog log = new FloodLog((line, thrown) -> lines.add(line), Duration.ofSeconds(10), now::get);

    log.log(() -> "refused 1");
    for (int i = 2; i <= 500; i++) {
      now.addAndGet(Duration.ofMillis(10).toNanos()); // 500 events in 5 s
      int n = i;
      log.log(() -> "refused " + n);
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
}
