package io.peerlink.discovery.core.server;

import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts the {@code error} answers a responder gives, by message, and keeps the log readable under
 * a flood: the first occurrence of a message is logged with the peer's address; repeats are only
 * counted, and summed up in one line at most every {@link #SUMMARY_INTERVAL} per message.
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

  private final Logger log;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  ErrorTally(Logger log, LongSupplier nanoTime) {
    this.log = log;
    this.nanoTime = nanoTime;
  }

  /** Counts one error answered to {@code remote}; logs it when it is new or a summary is due. */
  void record(String message, Object remote, Throwable cause) {
    String key = entries.containsKey(message) || entries.size() < MAX_MESSAGES ? message : OTHER;
    boolean[] created = new boolean[1];
    Entry e = entries.computeIfAbsent(key, k -> {
      created[0] = true;
      return new Entry(nanoTime.getAsLong());
    });
    e.total.incrementAndGet();
    if (created[0]) {
      String text = "answered error to " + remote + ": " + message
          + " (repeats are counted and summed up at most every " + SUMMARY_INTERVAL.toSeconds() + " s)";
      if (cause instanceof RuntimeException) {
        log.log(Level.WARNING, text, cause); // a bug in the state: keep its stack trace, once
      } else {
        log.log(Level.WARNING, text);
      }
      return;
    }
    e.unreported.incrementAndGet();
    long now = nanoTime.getAsLong();
    long last = e.lastReport.get();
    if (now - last >= SUMMARY_INTERVAL.toNanos() && e.lastReport.compareAndSet(last, now)) {
      long n = e.unreported.getAndSet(0);
      log.log(Level.WARNING, n + " more error answers \"" + key + "\" since the last report (latest to " + remote
          + "; " + e.total.get() + " in all)");
    }
  }

  /** Errors answered so far, by message, in message order. */
  Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, v.total.get()));
    return out;
  }

  private static final class Entry {
    final AtomicLong total = new AtomicLong();
    final AtomicLong unreported = new AtomicLong();
    final AtomicLong lastReport;

    Entry(long createdNanos) {
      lastReport = new AtomicLong(createdNanos);
    }
  }
}
