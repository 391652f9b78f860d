package io.peerlink.it.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flood benchmark's part of the summary: its table, its targets, and its {@code "flood"}
 * object in summary.json.
 *
 * <p>The targets: the honest peer is answered every time (100%) at baseline and under every
 * flood, since a configured peer that is locked out or timed out is what the defences exist to
 * prevent; its p99 stays within 50 ms under every flood (a discovery round's deadline is 5 s, so
 * 50 ms is a hundredth of it, and 70 times under the 0.7 s the finding saw); under (b) the RSS
 * stays within the bound the design gives (every connection's unread answers at
 * {@code max_unanswered_bytes}, plus {@link #SLACK_MB} for the requests read and the JVM's own
 * growth), and after (b)'s connections close it returns within {@link #RELEASED_MB} of the
 * baseline.
 */
final class FloodSummary {

  /** Headroom of (b)'s bound over its connections' unread answers, MB. */
  static final double SLACK_MB = 64;
  /** How far over the baseline RSS counts as given back after (b), MB. */
  static final double RELEASED_MB = 64;
  /** The honest peer's p99 under a flood, ms. */
  static final double P99_MS = 50;

  private final FloodResults r;

  FloodSummary(FloodResults results) {
    this.r = results;
  }

  boolean ran() {
    return !r.phases.isEmpty();
  }

  List<Summary.Target> targets() {
    List<Summary.Target> t = new ArrayList<>();
    for (FloodResults.Phase p : r.phases.values()) {
      t.add(new Summary.Target("flood " + p.title + ": honest answered %", p.honest.successPct(), ">=", 100));
      if (!"baseline".equals(p.key)) {
        t.add(new Summary.Target("flood " + p.title + ": honest p99 ms", p.honest.quantileMs(0.99), "<=", P99_MS));
      }
    }
    FloodResults.Phase unread = r.get("unread_ranges");
    FloodResults.Phase base = r.get("baseline");
    if (unread != null && base != null) {
      t.add(new Summary.Target("flood (b): RSS peak over baseline MB", unread.rssPeakMb - base.rssMb, "<=",
          Math.round(r.unreadBoundMb)));
      t.add(new Summary.Target("flood (b) closed: RSS over baseline MB", r.rssAfterCloseMb - base.rssMb, "<=",
          RELEASED_MB));
    }
    return t;
  }

  void print(PrintStream out) {
    if (!ran()) {
      return;
    }
    out.println();
    out.printf(Locale.ROOT, "flood: the packaged master, %,d blocks, peer-port limits %s; honest peer %s%n",
        r.chainBlocks, r.masterLimits, LoopbackSources.HONEST.getHostAddress());
    out.printf(Locale.ROOT, "%-30s %11s %8s %8s %8s %8s %8s %9s%n", "phase", "honest ok", "p50 ms", "p99 ms",
        "max ms", "RSS MB", "peak MB", "heap MB");
    for (FloodResults.Phase p : r.phases.values()) {
      out.printf(Locale.ROOT, "%-30s %11s %8.2f %8.2f %8.2f %8.0f %8.0f %9.0f%n", p.title,
          p.honest.succeeded() + "/" + p.honest.attempts(), p.honest.quantileMs(0.5), p.honest.quantileMs(0.99),
          p.honest.quantileMs(1), p.rssMb, p.rssPeakMb, p.heapCommittedMb);
    }
    for (FloodResults.Phase p : r.phases.values()) {
      if (!p.counts.isEmpty()) {
        StringBuilder b = new StringBuilder("  " + p.title + ":");
        p.counts.forEach((k, v) -> b.append(' ').append(k).append('=').append(count(v)));
        out.println(b);
      }
      if (!p.honest.slow.isEmpty()) {
        out.println("  " + p.title + " slow honest probes (first " + p.honest.slow.size() + "): " + p.honest.slow);
      }
      if (!p.honest.failures.isEmpty()) {
        out.println("  " + p.title + " honest failures (first " + p.honest.failures.size() + "): " + p.honest.failures);
      }
    }
    out.printf(Locale.ROOT, "  after (b) closed: RSS %.0f MB, heap committed %.0f MB; (b)'s bound: baseline + %.0f MB%n",
        r.rssAfterCloseMb, r.heapCommittedAfterCloseMb, r.unreadBoundMb);
  }

  /** A JSON array of strings. */
  private static String strings(List<String> list) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(Summary.str(list.get(i)));
    }
    return b.append(']').toString();
  }

  /** A count as a whole number, a rate with at most two decimals. */
  private static String count(double v) {
    return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Summary.num(v);
  }

  /** The {@code "flood"} value of summary.json. */
  String json() {
    StringBuilder j = new StringBuilder("{\"chain_blocks\": ").append(r.chainBlocks)
        .append(", \"master_limits\": ").append(Summary.str(r.masterLimits))
        .append(", \"honest_address\": ").append(Summary.str(LoopbackSources.HONEST.getHostAddress()))
        .append(",\n   \"phases\": {");
    String sep = "";
    for (FloodResults.Phase p : r.phases.values()) {
      FloodResults.Honest h = p.honest;
      j.append(sep).append("\n     ").append(Summary.str(p.key)).append(": {\"title\": ").append(Summary.str(p.title))
          .append(", \"honest_requests\": ").append(h.attempts()).append(", \"honest_ok\": ").append(h.succeeded())
          .append(", \"honest_success_pct\": ").append(Summary.num(h.successPct()))
          .append(", \"honest_p50_ms\": ").append(Summary.num(h.quantileMs(0.5)))
          .append(", \"honest_p99_ms\": ").append(Summary.num(h.quantileMs(0.99)))
          .append(", \"honest_max_ms\": ").append(Summary.num(h.quantileMs(1)))
          .append(", \"rss_mb\": ").append(Summary.num(p.rssMb)).append(", \"rss_peak_mb\": ")
          .append(Summary.num(p.rssPeakMb)).append(", \"heap_committed_mb\": ").append(Summary.num(p.heapCommittedMb))
          .append(", \"heap_used_mb\": ").append(Summary.num(p.heapUsedMb)).append(", \"counts\": {");
      String s2 = "";
      for (Map.Entry<String, Double> e : p.counts.entrySet()) {
        j.append(s2).append(Summary.str(e.getKey())).append(": ").append(count(e.getValue()));
        s2 = ", ";
      }
      j.append("}, \"honest_failures\": ").append(strings(h.failures)).append(", \"honest_slow\": ")
          .append(strings(h.slow)).append('}');
      sep = ",";
    }
    j.append("\n   },\n   \"unread_bound_mb\": ").append(Summary.num(r.unreadBoundMb))
        .append(", \"rss_after_close_mb\": ").append(Summary.num(r.rssAfterCloseMb))
        .append(", \"heap_committed_after_close_mb\": ").append(Summary.num(r.heapCommittedAfterCloseMb)).append('}');
    return j.toString();
  }
}
