package io.peerlink.discovery.core.server;

import io.peerlink.transport.api.support.RateLimitedLog;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Counts the {@code error} answers a responder gives, by message, and keeps the log readable under
 * a flood: the first occurrence of a message is logged with the peer's address; repeats are only
 * counted, and summed up in one line at most every {@link #SUMMARY_INTERVAL} per message, through
 * transport-api's {@link RateLimitedLog}, one per message.
 */
final class ErrorTally {

  /** How often a repeated error may produce a summary line. */
  static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);

  /**
   * Distinct messages tracked; messages carry details (offsets, numbers), so a fuzzing peer could
   * otherwise grow the map without bound. Beyond it, errors count under {@link #OTHER}.
   */
  static final int MAX_MESSAGES = 64;

  /** The key under which errors beyond {@link #MAX_MESSAGES} distinct messages are counted. */
  static final String OTHER = "(other messages)";

  private final BiConsumer<String, Throwable> sink;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  ErrorTally(Logger log, LongSupplier nanoTime) {
    this.sink = RateLimitedLog.sinkOf(log, Level.WARNING);
    this.nanoTime = nanoTime;
  }

  /** Counts one error answered to {@code remote}; logs it when it is new or a summary is due. */
  void record(String message, Object remote, Throwable cause) {
    String key = entries.containsKey(message) || entries.size() < MAX_MESSAGES ? message : OTHER;
    Entry e = entries.computeIfAbsent(key, k -> new Entry(new RateLimitedLog(sink, SUMMARY_INTERVAL, nanoTime)));
    long total = e.total.incrementAndGet();
    // A bug in the state (a RuntimeException) keeps its stack trace, on the first line only.
    Throwable trace = total == 1 && cause instanceof RuntimeException ? cause : null;
    e.log.log(leftOut -> e.firstLogged.compareAndSet(false, true)
        ? "answered error to " + remote + ": " + message + " (repeats are counted and summed up at most every "
            + SUMMARY_INTERVAL.toSeconds() + " s)"
        : (leftOut + 1) + " more error answers \"" + key + "\" since the last report (latest to " + remote + "; "
            + e.total.get() + " in all)", trace);
  }

  /** Errors answered so far, by message, in message order. */
  Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, v.total.get()));
    return out;
  }

  /** One message's count, and its own rate-limited log: the first line, then summaries. */
  private static final class Entry {
    final AtomicLong total = new AtomicLong();
    final AtomicBoolean firstLogged = new AtomicBoolean();
    final RateLimitedLog log;

    Entry(RateLimitedLog log) {
      this.log = log;
    }
  }
}
