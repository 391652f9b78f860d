package io.peerlink.node.config;

import io.peerlink.discovery.core.discovery.FetchLimits;
import java.time.Duration;
import java.util.Map;

/**
 * The lower and upper bound of every duration setting. A timer of 1 ns spins a core and floods
 * the log; one of years is a typo that silently disables what it guards. Zero means "off" only
 * where the key says so ({@code durationOrZero}).
 */
final class SettingBounds {
  /** An inclusive range. */
  record Range(Duration min, Duration max) {
    boolean contains(Duration d) {
      return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
    }

    String describe() {
      return "from " + text(min) + " to " + text(max);
    }
  }

  static final Range BACKOFF_SKIP = new Range(Duration.ofMillis(100), Duration.ofDays(1));

  private static final Range TIMEOUT = new Range(Duration.ofMillis(100), Duration.ofMinutes(10));
  private static final Range ROUND = new Range(Duration.ofMillis(100), Duration.ofHours(1));
  private static final Range IDLE = new Range(Duration.ofMillis(100), Duration.ofDays(1));
  private static final Range METRICS = new Range(Duration.ofSeconds(1), Duration.ofDays(1));

  private static final Map<String, Range> DURATIONS = Map.ofEntries(
      Map.entry("discovery.timeout", TIMEOUT),
      Map.entry("discovery.interval", ROUND),
      Map.entry("catch_up.fetch_timeout", TIMEOUT),
      Map.entry("catch_up.no_progress_timeout", ROUND),
      Map.entry("limits.peer_rpc.idle_timeout", IDLE),
      Map.entry("limits.peer_rpc.partial_frame_timeout", ROUND),
      Map.entry("limits.local.idle_timeout", IDLE),
      Map.entry("limits.local.partial_frame_timeout", ROUND),
      Map.entry("metrics.interval", METRICS),
      // Long enough to outlast a liar's retries, short enough that a peer fixed by its operator returns.
      Map.entry("discovery.ban_duration", new Range(Duration.ofSeconds(10), Duration.ofDays(7))),
      // Below a second, honest masters' clocks would disagree; above a day, a forged start passes.
      Map.entry("master.max_clock_skew", new Range(Duration.ofSeconds(1), Duration.ofDays(1))),
      // A request 12 waits at most an hour whatever it asks (Responder's cap).
      Map.entry("master.wait_for_sync_timeout", new Range(Duration.ofSeconds(1), Duration.ofHours(1))));

  /** The most blocks any block-count setting takes: far above a real chain's retention or gap. */
  static final long MAX_BLOCKS = 1_000_000_000L;

  /** The most catch-up fetches in flight (commit_sync_parallel_fetches): more only queue at the peers. */
  static final int MAX_PARALLEL_FETCHES = FetchLimits.MAX_PARALLEL_FETCHES;
  /** The most batches held ahead (commit_sync_batches_ahead); with the batch size, what catch-up may hold. */
  static final int MAX_BATCHES_AHEAD = FetchLimits.MAX_BATCHES_AHEAD;

  private SettingBounds() {}

  /** The range of a duration key. */
  static Range of(String key) {
    Range range = DURATIONS.get(key);
    if (range == null) {
      throw new IllegalArgumentException("no bounds for duration key " + key);
    }
    return range;
  }

  /** 100ms, 10s, 10m, 1h, 1d: as a user would write it in the file. */
  static String text(Duration d) {
    if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
      return d.toDays() + "d";
    }
    if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
      return d.toHours() + "h";
    }
    if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
      return d.toMinutes() + "m";
    }
    if (d.toSeconds() > 0 && d.equals(Duration.ofSeconds(d.toSeconds()))) {
      return d.toSeconds() + "s";
    }
    return d.toMillis() + "ms";
  }
}
