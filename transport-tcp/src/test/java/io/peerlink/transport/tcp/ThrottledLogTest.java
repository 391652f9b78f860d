package io.peerlink.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;

class ThrottledLogTest {

  /** Records what is logged. */
  private static final class Recorder implements Logger {
    final List<String> lines = new ArrayList<>();

    @Override
    public String getName() {
      return "recorder";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      lines.add(msg);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      lines.add(format);
    }
  }

  @Test
  void aFloodIsLoggedOnceThenSummarisedWithTheCount() {
    Recorder r = new Recorder();
    long[] now = {0};
    ThrottledLog log = new ThrottledLog(r, Level.INFO, "refusals", 60_000, () -> now[0]);
    for (int i = 0; i < 1_000; i++) {
      log.log("refused " + i, null);
      now[0] += 1_000_000; // 1 ms apart: all 1,000 within the minute
    }
    assertEquals(List.of("refused 0"), r.lines, "one line for a thousand events within the interval");

    now[0] = 61_000_000_000L;
    log.log("refused again", null);
    assertEquals(2, r.lines.size());
    assertEquals("refused again (and 999 more refusals not logged in the last 60 s)", r.lines.get(1));

    now[0] += 61_000_000_000L;
    log.log("quiet since", null);
    assertEquals("quiet since", r.lines.get(2), "nothing was suppressed in between");
  }
}
