package io.peerlink.node.master;

import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Why the chain log cannot write right now, and the waiting between its retries.
 *
 * <p>A full disk or a failed write is not the end: the log keeps the record, retries with a
 * growing pause (up to {@link #MAX_PAUSE_MS}), and goes on once space returns, so a commit that
 * was stuck is applied, not lost. While stuck, {@link #reason()} says why, and the log says it at
 * most once per {@code logEveryNanos} (the first failure at once). {@link #stop()} ends every
 * wait (the store is closing).
 */
final class WriteStall {
  private static final System.Logger LOG = System.getLogger(WriteStall.class.getName());
  static final long FIRST_PAUSE_MS = 50;
  static final long MAX_PAUSE_MS = 2_000;
  static final long DEFAULT_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final LongSupplier nanoTime;
  private final long logEveryNanos;
  private final Object monitor = new Object();
  private volatile String reason;
  private boolean stopped; // guarded by monitor
  private long stuckSinceNanos;
  private long lastLogNanos;
  private long failures;
  private long unlogged;

  WriteStall() {
    this(System::nanoTime, DEFAULT_LOG_EVERY_NANOS);
  }

  WriteStall(LongSupplier nanoTime, long logEveryNanos) {
    this.nanoTime = nanoTime;
    this.logEveryNanos = logEveryNanos;
  }

  /** Why writes are stuck, while they are. */
  Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * Records a failed attempt: sets the reason and logs it when the throttle allows.
   *
   * @return whether this failure was logged
   */
  synchronized boolean failed(String why) {
    long now = nanoTime.getAsLong();
    if (reason == null) {
      stuckSinceNanos = now;
    }
    reason = why;
    failures++;
    if (failures > 1 && now - lastLogNanos < logEveryNanos) {
      unlogged++;
      return false;
    }
    lastLogNanos = now;
    long seconds = TimeUnit.NANOSECONDS.toSeconds(now - stuckSinceNanos);
    LOG.log(Level.ERROR, why + (failures == 1 ? "; retrying until it succeeds (nothing is applied meanwhile)"
        : "; still retrying after " + seconds + " s and " + failures + " attempts (" + unlogged + " not logged)"));
    unlogged = 0;
    return true;
  }

  /** Records a write that went through: logs the recovery when writes had been stuck. */
  synchronized void cleared() {
    if (reason == null) {
      return;
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(nanoTime.getAsLong() - stuckSinceNanos);
    LOG.log(Level.WARNING, "chain log writes again after " + seconds + " s and " + failures + " failed attempt(s); the"
        + " stuck write is applied. It was stuck on: " + reason);
    reason = null;
    failures = 0;
    unlogged = 0;
  }

  /** The pause before retry number {@code attempt + 1}. */
  static long pauseMs(int attempt) {
    return Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS << Math.min(attempt - 1, 16));
  }

  /**
   * Waits before the next attempt.
   *
   * @return false when the store stopped meanwhile (no more retries)
   * @throws InterruptedIOException when the thread was interrupted
   */
  boolean pause(int attempt) throws InterruptedIOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs(attempt));
    synchronized (monitor) {
      while (!stopped) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting to retry a chain log write; nothing written");
        }
      }
      return false;
    }
  }

  /** Ends every wait: the store is closing. */
  void stop() {
    synchronized (monitor) {
      stopped = true;
      monitor.notifyAll();
    }
  }
}
