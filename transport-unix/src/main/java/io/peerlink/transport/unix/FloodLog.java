package io.peerlink.transport.unix;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Logs the first event of a kind, then at most one line per interval, which also says how many
 * were left out since: a flood of refused connections or failing handlers is counted (in the
 * listener's stats), not logged line by line. The line left out last is reported with the next
 * event after the interval; the counters hold the exact totals.
 */
final class FloodLog {

  /** How often a flood of one kind of event is summed up in the log. */
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private final BiConsumer<String, Throwable> sink; // the throwable may be null
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private boolean logged; // guarded by this
  private long nextLineAt; // guarded by this
  private long leftOut; // guarded by this

  FloodLog(System.Logger logger, Level level) {
    this((msg, thrown) -> {
      if (thrown == null) {
        logger.log(level, msg);
      } else {
        logger.log(level, msg, thrown);
      }
    }, INTERVAL, System::nanoTime);
  }

  FloodLog(BiConsumer<String, Throwable> sink, Duration interval, LongSupplier nanoClock) {
    this.sink = sink;
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Logs the message now, or counts it as left out when a line was logged within the interval. */
  void log(Supplier<String> message) {
    log(message, null);
  }

  /** As {@link #log(Supplier)}, with the stack trace of {@code thrown} on the line when it is logged. */
  void log(Supplier<String> message, Throwable thrown) {
    long now = nanoClock.getAsLong();
    long skipped;
    synchronized (this) {
      if (logged && now - nextLineAt < 0) {
        leftOut++;
        return;
      }
      logged = true;
      nextLineAt = now + intervalNanos;
      skipped = leftOut;
      leftOut = 0;
    }
    String line = message.get();
    sink.accept(skipped == 0 ? line
        : line + " (" + skipped + " more like it since the last such line, counted and not logged)", thrown);
  }
}
