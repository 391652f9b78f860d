package io.peerlink.discovery.core.discovery;

import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The seed's circuit breaker for peers: after enough consecutive failures a peer is skipped for a
 * while instead of costing every round a timeout. With the default steps, 3 failures in a row skip
 * the peer for 10 s, 5 for 30 s, 10 for 60 s; each failure after the backoff has run out starts a
 * new backoff of the step it reached. An answer resets the count.
 *
 * <p>A skipped peer is logged once per backoff, not every round. Time comes from an injectable
 * monotonic clock (nanoseconds), so tests need no sleeps. Thread-safe.
 */
public final class PeerHealth {

  private static final Logger LOG = System.getLogger(PeerHealth.class.getName());

  private final List<BackoffStep> steps;
  private final LongSupplier nanoClock;
  private final Map<Endpoint, State> states = new HashMap<>();

  /** Health with the given steps and the system's monotonic clock. */
  public PeerHealth(List<BackoffStep> steps) {
    this(steps, System::nanoTime);
  }

  /**
   * Health with the given steps and clock.
   *
   * @param steps by strictly increasing failure count, as {@link DiscoveryOptions#backoffSteps()}
   * @param nanoClock a monotonic time in nanoseconds, like {@link System#nanoTime()}
   */
  public PeerHealth(List<BackoffStep> steps, LongSupplier nanoClock) {
    // Validated the same way as the option, so a bad list fails here with the same message.
    this.steps = DiscoveryOptions.builder().backoffSteps(steps).build().backoffSteps();
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * Whether to skip the peer this round. The first call of each backoff logs the skip; later calls
   * in the same backoff do not.
   */
  public boolean shouldSkip(Endpoint peer) {
    return shouldSkip(peer, message -> LOG.log(Level.WARNING, message));
  }

  /** As {@link #shouldSkip(Endpoint)}, handing the skip's one log line to {@code notice}. */
  boolean shouldSkip(Endpoint peer, java.util.function.Consumer<String> notice) {
    long now = nanoClock.getAsLong();
    String message = null;
    synchronized (this) {
      State s = states.get(peer);
      if (s == null || s.skipUntil == 0 || now - s.skipUntil >= 0) {
        return false;
      }
      if (!s.skipLogged) {
        s.skipLogged = true;
        message = "[PEER HEALTH] Skipping peer master (" + peer + ") for "
            + Duration.ofNanos(s.skipUntil - now).toMillis() + " ms: " + s.failures + " consecutive failures, last: "
            + s.lastReason;
      }
    }
    if (message != null) {
      notice.accept(message);
    }
    return true;
  }

  /** How long the peer remains skipped; zero when it is not. */
  public synchronized Duration remainingBackoff(Endpoint peer) {
    State s = states.get(peer);
    if (s == null || s.skipUntil == 0) {
      return Duration.ZERO;
    }
    long left = s.skipUntil - nanoClock.getAsLong();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  /** The peer's consecutive failures so far. */
  public synchronized int consecutiveFailures(Endpoint peer) {
    State s = states.get(peer);
    return s == null ? 0 : s.failures;
  }

  /** The peer answered: its count resets and any backoff ends. */
  public void recordSuccess(Endpoint peer) {
    State s;
    synchronized (this) {
      s = states.remove(peer);
    }
    if (s != null && s.failures >= firstStepFailures()) {
      LOG.log(Level.INFO, "[PEER HEALTH] Peer master (" + peer + ") answered again after " + s.failures
          + " consecutive failures");
    }
  }

  /**
   * The peer failed. When its count reaches a step, it is skipped for that step's duration from
   * now.
   *
   * @param reason what went wrong, for the skip log line
   */
  public void recordFailure(Endpoint peer, String reason) {
    long now = nanoClock.getAsLong();
    synchronized (this) {
      State s = states.computeIfAbsent(peer, p -> new State());
      s.failures = s.failures == Integer.MAX_VALUE ? s.failures : s.failures + 1;
      s.lastReason = reason;
      BackoffStep step = stepFor(s.failures);
      if (step != null) {
        long until = now + step.skipFor().toNanos();
        s.skipUntil = until == 0 ? 1 : until; // 0 means "no backoff"
        s.skipLogged = false;
      }
    }
  }

  private BackoffStep stepFor(int failures) {
    BackoffStep found = null;
    for (BackoffStep step : steps) {
      if (failures >= step.failures()) {
        found = step;
      }
    }
    return found;
  }

  private int firstStepFailures() {
    return steps.isEmpty() ? Integer.MAX_VALUE : steps.get(0).failures();
  }

  private static final class State {
    int failures;
    long skipUntil; // nanoClock value; 0 = none
    boolean skipLogged;
    String lastReason = "";
  }
}
