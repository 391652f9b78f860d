package io.peerlink.transport.api.support;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Logs the first event of a kind, then at most one line per interval, which also says how many
 * were left out since: a flood of refused connections, failing handlers or error answers is
 * counted, not logged line by line. What was left out is reported with the next event after the
 * interval; counters kept elsewhere (listener stats, metrics) hold the exact totals.
 *
 * <p>Thread-safe. The message is built only when a line is logged.
 */
public final class RateLimitedLog {

  /** How often a flood of one kind of event is summed up in the log, unless told otherwise. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final BiConsumer<String, Throwable> sink; // the throwable may be null
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private boolean logged; // guarded by this
  private long nextLineAt; // guarded by this
  private long leftOut; // guarded by this

  /** Logs to {@code logger} at {@code level}, one line per {@link #DEFAULT_INTERVAL}. */
  public RateLimitedLog(Logger logger, Level level) {
    this(logger, level, DEFAULT_INTERVAL);
  }

  /** Logs to {@code logger} at {@code level}, one line per {@code interval}. */
  public RateLimitedLog(Logger logger, Level level, Duration interval) {
    this(sinkOf(logger, level), interval, System::nanoTime);
  }

  /**
   * Hands each line to {@code sink}, with the throwable given (or null); for tests and for callers
   * with a log of their own, with a clock in nanoseconds.
   */
  public RateLimitedLog(BiConsumer<String, Throwable> sink, Duration interval, LongSupplier nanoClock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must be zero or positive, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** A sink writing to a System.Logger at one level, with the stack trace when there is one. */
  public static BiConsumer<String, Throwable> sinkOf(Logger logger, Level level) {
    Objects.requireNonNull(logger, "logger");
    Objects.requireNonNull(level, "level");
    return (msg, thrown) -> {
      if (thrown == null) {
        logger.log(level, msg);
      } else {
        logger.log(level, msg, thrown);
      }
    };
  }

  /** Logs the message now, or counts it as left out when a line was logged within the interval. */
  public boolean log(Supplier<String> message) {
    return log(message, null);
  }

  /**
   * As {@link #log(Supplier)}, with the stack trace of {@code thrown} on the line when it is logged.
   *
   * @return whether a line was logged
   */
  public boolean log(Supplier<String> message, Throwable thrown) {
    return log(n -> {
      String line = message.get();
      return n == 0 ? line : line + " (" + n + " more like it since the last such line, counted and not logged)";
    }, thrown);
  }

  /**
   * The general form: {@code line} gets how many events were left out since the last line (0 for
   * none) and writes the whole line itself, for callers whose summary reads differently.
   *
   * @return whether a line was logged
   */
  public boolean log(LongFunction<String> line, Throwable thrown) {
    long now = nanoClock.getAsLong();
    long skipped;
    synchronized (this) {
      if (logged && now - nextLineAt < 0) {
        leftOut++;
        return false;
      }
      logged = true;
      nextLineAt = now + intervalNanos;
      skipped = leftOut;
      leftOut = 0;
    }
    sink.accept(line.apply(skipped), thrown);
    return true;
  }

  /** The interval between two lines. */
  public Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }
}
