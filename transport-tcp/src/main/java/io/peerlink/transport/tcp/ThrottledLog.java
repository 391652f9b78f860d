package io.peerlink.transport.tcp;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;

/**
 * Logs the first of a kind of event, then at most one summary per interval ("N more since"), so
 * a flood (refused connections, failing handlers) is counted rather than logged line by line.
 */
final class ThrottledLog {

  private final Logger log;
  private final Level level;
  private final String what; // e.g. "connections refused by the access policy"
  private final long intervalNanos;
  private final LongSupplier clock;
  private long windowStart; // guarded by this
  private boolean started;
  private long suppressed;

  ThrottledLog(Logger log, Level level, String what, long intervalMillis) {
    this(log, level, what, intervalMillis, System::nanoTime);
  }

  /** For tests: with a clock of their own, in nanoseconds. */
  ThrottledLog(Logger log, Level level, String what, long intervalMillis, LongSupplier clock) {
    this.clock = clock;
    this.log = log;
    this.level = level;
    this.what = what;
    this.intervalNanos = intervalMillis * 1_000_000;
  }

  /** Logs {@code message} now, or counts it into the next summary. */
  void log(String message, Throwable cause) {
    long now = clock.getAsLong();
    long more;
    synchronized (this) {
      if (started && now - windowStart < intervalNanos) {
        suppressed++;
        return;
      }
      more = suppressed;
      suppressed = 0;
      started = true;
      windowStart = now;
    }
    String text = more == 0 ? message
        : message + " (and " + more + " more " + what + " not logged in the last " + intervalNanos / 1_000_000_000
            + " s)";
    if (cause == null) {
      log.log(level, text);
    } else {
      log.log(level, text, cause);
    }
  }
}
