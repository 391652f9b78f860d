package io.peerlink.transport.api.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an action at a deadline unless disarmed first: how a test bounds a call that has no timeout
 * of its own ({@code BlockingConnection.receive}), by closing the connection under it, so that a
 * frame that never comes fails the test instead of hanging it.
 *
 * <p>Closing the watchdog disarms it, and fails (an {@link AssertionError}) if it had fired: the
 * failure the closed connection caused in the test is then explained.
 */
public final class Watchdog implements AutoCloseable {

  private static final int ARMED = 0;
  private static final int DISARMED = 1;
  private static final int FIRED = 2;

  private final AtomicInteger state = new AtomicInteger(ARMED);
  private final Duration after;
  private final String what;

  private Watchdog(Duration after, String what) {
    this.after = after;
    this.what = what;
  }

  /**
   * Arms a watchdog.
   *
   * @param after how long the guarded work may take
   * @param what what the action does, for the failure message (e.g. "closed the connection")
   * @param action run once, on another thread, if the watchdog is still armed at the deadline
   */
  public static Watchdog arm(Duration after, String what, Runnable action) {
    Watchdog w = new Watchdog(after, what);
    // A delayed task cannot be cancelled; a disarmed watchdog's task does nothing when it runs.
    CompletableFuture.delayedExecutor(after.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
      if (w.state.compareAndSet(ARMED, FIRED)) {
        action.run();
      }
    });
    return w;
  }

  /** Whether the deadline passed before the watchdog was disarmed. */
  public boolean fired() {
    return state.get() == FIRED;
  }

  /** Disarms it; fails if it had fired already. */
  @Override
  public void close() {
    if (!state.compareAndSet(ARMED, DISARMED) && fired()) {
      throw new AssertionError("the watchdog " + what + " after " + after.toMillis()
          + " ms: the guarded work blocked past its deadline");
    }
  }
}
