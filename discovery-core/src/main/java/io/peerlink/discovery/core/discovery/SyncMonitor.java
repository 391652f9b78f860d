package io.peerlink.discovery.core.discovery;

import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Re-checks the sync status every {@link DiscoveryOptions#checkInterval()} (counted from the end
 * of one check to the start of the next, so checks never overlap) and tells {@link SyncListener}s
 * when the state changes kind. It logs only its own trouble (a failed check, a refused schedule):
 * each check's decision is {@link SyncChecker}'s {@code [SYNC]} line, and a change is the
 * listeners' to tell.
 *
 * <p><b>Hysteresis.</b> With T the gap threshold and H {@link DiscoveryOptions#hysteresisBlocks()}:
 * a node reported Ready stays Ready until it is more than T+H blocks behind (then SyncingCommits)
 * or more than T+H blocks beyond the tip (then Ahead); a node reported SyncingCommits or Ahead
 * returns to Ready as soon as it is within T. So a gap that wanders around T does not flap. Epoch
 * changes and Initializing are reported as they come: an epoch difference is not a matter of
 * degree.
 *
 * <p>{@link #close()} stops the schedule; a scheduler passed in is not shut down, one created here
 * is.
 */
public final class SyncMonitor implements AutoCloseable {

  private static final Logger LOG = System.getLogger(SyncMonitor.class.getName());

  private final Supplier<CompletableFuture<SyncStatus>> check;
  private final DiscoveryOptions options;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();
  private SyncStatus reported; // guarded by this
  private ScheduledFuture<?> next; // guarded by this
  private boolean started; // guarded by this
  private volatile boolean closed;

  /** A monitor with its own scheduler thread (a daemon). */
  public SyncMonitor(SyncChecker checker) {
    this(checker::check, checker.options(), Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peerlink-sync-monitor");
      t.setDaemon(true);
      return t;
    }), true);
  }

  /**
   * A monitor on the given scheduler (e.g. one a test drives); {@link #close()} does not shut it
   * down.
   */
  public SyncMonitor(SyncChecker checker, ScheduledExecutorService scheduler) {
    this(checker::check, checker.options(), scheduler, false);
  }

  SyncMonitor(Supplier<CompletableFuture<SyncStatus>> check, DiscoveryOptions options,
      ScheduledExecutorService scheduler, boolean ownsScheduler) {
    this.check = Objects.requireNonNull(check, "check");
    this.options = Objects.requireNonNull(options, "options");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.ownsScheduler = ownsScheduler;
  }

  /** Adds a listener; it hears about changes from the next check on. */
  public void addListener(SyncListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(SyncListener listener) {
    listeners.remove(listener);
  }

  /** Starts checking: the first check now, then every interval. Idempotent. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("the sync monitor is closed");
    }
    if (!started) {
      started = true;
      schedule(Duration.ZERO);
    }
  }

  /** The status last reported (after hysteresis); empty before the first check. */
  public synchronized Optional<SyncStatus> current() {
    return Optional.ofNullable(reported);
  }

  /**
   * Checks once, outside the schedule, and reports as a scheduled check would.
   *
   * @return the status reported (after hysteresis)
   */
  public CompletableFuture<SyncStatus> checkNow() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the sync monitor is closed"));
    }
    CompletableFuture<SyncStatus> raw;
    try {
      raw = check.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return raw.thenApplyAsync(this::report, scheduler);
  }

  private synchronized void schedule(Duration delay) {
    if (closed) {
      return;
    }
    try {
      next = scheduler.schedule(this::tick, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.log(Level.WARNING, "[SYNC] The sync monitor's scheduler refused the next check; monitoring stops", e);
    }
  }

  private void tick() {
    checkNow().whenComplete((s, e) -> {
      if (e != null && !closed) {
        LOG.log(Level.WARNING, "[SYNC] Sync check failed: " + PeerOutcome.unwrap(e), PeerOutcome.unwrap(e));
      }
      schedule(options.checkInterval());
    });
  }

  private SyncStatus report(SyncStatus raw) {
    SyncStatus previous;
    SyncStatus now;
    synchronized (this) {
      previous = reported;
      now = applyHysteresis(previous, raw, options);
      reported = now;
      if (previous != null && previous.state().getClass() == now.state().getClass()) {
        return now;
      }
      // Notified under the lock so that listeners see changes in order, one at a time. Not logged
      // here: SyncChecker logs each check's decision, and the application its own reaction to a
      // change (node-app's NodeRole names the node), so no change is told twice.
      for (SyncListener l : listeners) {
        try {
          l.onStateChange(previous, now);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "[SYNC] Sync listener " + l + " failed; others are still told", e);
        }
      }
    }
    return now;
  }

  /** The hysteresis rule described on the class, on one new raw status. */
  static SyncStatus applyHysteresis(SyncStatus previous, SyncStatus raw, DiscoveryOptions options) {
    if (previous == null || !(previous.state() instanceof SyncState.Ready) || !raw.epochsMatch()) {
      return raw;
    }
    long band = saturatingAdd(options.gapThreshold(), options.hysteresisBlocks());
    boolean withinBand = raw.blockGap() <= band && raw.blockGap() >= -band;
    if (withinBand && (raw.state() instanceof SyncState.SyncingCommits || raw.state() instanceof SyncState.Ahead)) {
      return raw.withState(new SyncState.Ready());
    }
    return raw;
  }

  private static long saturatingAdd(long a, long b) {
    long s = a + b;
    return s < 0 ? Long.MAX_VALUE : s;
  }

  /** Stops checking; a check in flight still completes but is not followed by another. Idempotent. */
  @Override
  public void close() {
    ScheduledFuture<?> n;
    synchronized (this) {
      closed = true;
      n = next;
    }
    if (n != null) {
      n.cancel(false);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }
}
