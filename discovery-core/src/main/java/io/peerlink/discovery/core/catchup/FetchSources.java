package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.RangeRateRefusal;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whom a catch-up asks for a batch: only a peer that confirmed the batch's end and is neither
 * failed in the run nor banned ({@link #of}); in the pipelined {@link FetchWindow}, the least
 * loaded such peer that is not resting ({@link #leastLoaded}). A master that refuses a batch for
 * its range rate limit (its error carries {@link RangeRateRefusal#MARK}) is honest and busy: on
 * either path it is left alone {@link #REST_NANOS} and then asked again, unfailed. An instance is
 * one window's bookkeeping, touched under {@link CatchUpRun#step} only.
 */
final class FetchSources {

  /** How long a peer that refused a batch for its rate limit is left alone (the limit is per second). */
  static final long REST_NANOS = 1_000_000_000L;

  private final CatchUpRun run;
  private final Map<Endpoint, Integer> load = new HashMap<>(); // fetches in flight
  private final Map<Endpoint, Long> restingUntil = new HashMap<>();

  FetchSources(CatchUpRun run) {
    this.run = run;
  }

  /** The peers that confirmed {@code end} and are neither failed in the run nor banned, in the order asked. */
  static List<Endpoint> of(CatchUpRun run, HashConfirmation end) {
    List<Endpoint> out = new ArrayList<>();
    for (Endpoint p : end.agreeing) {
      if (!run.failed.containsKey(p) && !run.bans.isBanned(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The least loaded of {@code sources} not resting (the first of equals), or null when every one rests. */
  Endpoint leastLoaded(List<Endpoint> sources) {
    long now = System.nanoTime();
    Endpoint peer = null;
    for (Endpoint p : sources) {
      if (restingUntil.getOrDefault(p, now) - now <= 0
          && (peer == null || load.getOrDefault(p, 0) < load.getOrDefault(peer, 0))) {
        peer = p;
      }
    }
    return peer;
  }

  /** A fetch was asked of {@code peer}. */
  void asked(Endpoint peer) {
    load.merge(peer, 1, Integer::sum);
  }

  /** A fetch asked of {@code peer} ended, however. */
  void ended(Endpoint peer) {
    load.merge(peer, -1, Integer::sum);
  }

  /** Leaves {@code peer} alone for {@link #REST_NANOS}, then runs {@code then} as a step of the run. */
  void rest(Endpoint peer, Runnable then) {
    restingUntil.put(peer, System.nanoTime() + REST_NANOS);
    afterRest(run, then);
  }

  /** Whether a failed batch request was an honest master's refusal for its range rate limit. */
  static boolean rateRefusal(PeerOutcome.Kind kind, Throwable cause) {
    return kind == PeerOutcome.Kind.ERROR_RESPONSE && RangeRateRefusal.is(cause.getMessage());
  }

  /** Runs {@code step} as a step of {@code run} after {@link #REST_NANOS}. */
  static void afterRest(CatchUpRun run, Runnable step) {
    CompletableFuture.delayedExecutor(REST_NANOS, TimeUnit.NANOSECONDS, run.executor).execute(() -> run.step(step));
  }
}
