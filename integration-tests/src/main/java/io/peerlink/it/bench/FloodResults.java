package io.peerlink.it.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flood benchmark's figures: per phase, the honest peer's probes, the master's memory, the flood's counts. */
final class FloodResults {

  /** The honest peer's probes in one phase. Written by its senders (synchronized), read after they ended. */
  static final class Honest {
    private long[] nanos = new long[1024];
    private int ok;
    private int failed;
    final List<String> failures = new ArrayList<>();
    /** The first probes that took over 200 ms: when, and how long connecting and the answers took. */
    final List<String> slow = new ArrayList<>();

    synchronized void ok(long latencyNanos) {
      if (ok == nanos.length) {
        nanos = Arrays.copyOf(nanos, ok * 2);
      }
      nanos[ok++] = latencyNanos;
    }

    synchronized void failed(String why, int keep) {
      failed++;
      if (failures.size() < keep) {
        failures.add(why);
      }
    }

    synchronized void slow(String what, int keep) {
      if (slow.size() < keep) {
        slow.add(what);
      }
    }

    synchronized int attempts() {
      return ok + failed;
    }

    synchronized int succeeded() {
      return ok;
    }

    /** Share of probes answered right, in percent; NaN without probes. */
    synchronized double successPct() {
      return attempts() == 0 ? Double.NaN : 100.0 * ok / attempts();
    }

    /** The {@code q} quantile (0-1, nearest rank) of the answered probes' latency in ms; NaN without any. */
    synchronized double quantileMs(double q) {
      if (ok == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(nanos, ok);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(q * ok) - 1;
      return sorted[Math.max(0, Math.min(ok - 1, rank))] / 1e6;
    }
  }

  /** One phase: the baseline or one flood. */
  static final class Phase {
    final String key;
    final String title;
    final Honest honest = new Honest();
    /** The master's RSS at the end of the window, and the highest sampled during it, MB. */
    double rssMb = Double.NaN;
    double rssPeakMb = Double.NaN;
    /** The master's JVM heap committed and used at the end of the window (its /metrics), MB. */
    double heapCommittedMb = Double.NaN;
    double heapUsedMb = Double.NaN;
    /** What the flood did and what the master counted, by name, in the order they were taken. */
    final Map<String, Double> counts = new LinkedHashMap<>();

    Phase(String key, String title) {
      this.key = key;
      this.title = title;
    }
  }

  final Map<String, Phase> phases = new LinkedHashMap<>();
  int chainBlocks;
  /** The master's limits when they were not its defaults ({@code key = value, ...}), else "defaults". */
  String masterLimits = "";
  /** Flood (b)'s memory bound, MB over the baseline RSS; and the RSS after its connections closed. */
  double unreadBoundMb = Double.NaN;
  double rssAfterCloseMb = Double.NaN;
  double heapCommittedAfterCloseMb = Double.NaN;

  Phase phase(String key, String title) {
    return phases.computeIfAbsent(key, k -> new Phase(key, title));
  }

  Phase get(String key) {
    return phases.get(key);
  }
}
