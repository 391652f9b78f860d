package io.peerlink.it.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a run's {@link Results} into medians: the printed table, the targets met or missed, and
 * {@code summary.json} in the shape issue 6 gives (machine, rtt_us, throughput_rps, discovery[],
 * idle_connections), followed by a few keys of its own (run, throughput_rps_1x64, targets, ...).
 */
final class Summary {

  /** One target of the issue, judged on this run's medians. */
  record Target(String name, double value, String comparison, double limit) {
    boolean met() {
      return !Double.isNaN(value) && ("<=".equals(comparison) ? value <= limit
          : ">=".equals(comparison) ? value >= limit : value < limit);
    }
  }

  private final BenchConfig config;
  private final Results results;
  private final String machine;
  private final String load;

  Summary(BenchConfig config, Results results, String machine, String load) {
    this.config = config;
    this.results = results;
    this.machine = machine;
    this.load = load;
  }

  List<Target> targets() {
    List<Target> t = new ArrayList<>();
    Map<Variant, Double> rtt = results.microMedians(MicroBenchmarks.Mode.RTT);
    Map<Variant, Double> tput = results.microMedians(MicroBenchmarks.Mode.PIPELINED_4X64);
    Map<Variant, Double> tput1 = results.microMedians(MicroBenchmarks.Mode.PIPELINED_1X64);
    addRatio(t, "rtt peerlink_tcp / raw_tcp", rtt, Variant.PEERLINK_TCP, Variant.RAW_TCP, "<=", 1.3);
    addRatio(t, "rtt peerlink_unix / raw_unix", rtt, Variant.PEERLINK_UNIX, Variant.RAW_UNIX, "<=", 1.3);
    addRatio(t, "throughput 4x64 peerlink_tcp / grpc_tcp", tput, Variant.PEERLINK_TCP, Variant.GRPC_TCP, ">=", 2);
    addRatio(t, "throughput 4x64 peerlink_unix / grpc_tcp", tput, Variant.PEERLINK_UNIX, Variant.GRPC_TCP, ">=", 2);
    addRatio(t, "throughput 4x64 peerlink_unix / grpc_unix", tput, Variant.PEERLINK_UNIX, Variant.GRPC_UNIX, ">=", 2);
    addRatio(t, "throughput 1x64 peerlink_tcp / grpc_tcp", tput1, Variant.PEERLINK_TCP, Variant.GRPC_TCP, ">=", 2);
    addRatio(t, "throughput 1x64 peerlink_unix / grpc_tcp", tput1, Variant.PEERLINK_UNIX, Variant.GRPC_TCP, ">=", 2);
    for (Results.DiscoveryRow row : results.discoveryRows()) {
      if (row.hung > 0 && row.peers == maxPeers()) {
        t.add(new Target("discovery " + row.peers + " peers, " + row.hung + " hung: decision / query timeout",
            Results.median(row.decisionMs) / row.timeoutMs, "<=", 1.2));
      }
    }
    Results.Idle idle = results.idle;
    if (!idle.rttUs.isEmpty()) {
      t.add(new Target(idle.count + " idle connections: heap MB", Results.median(idle.heapMb), "<", 100));
      t.add(new Target(idle.count + " idle connections: RTT with / without", Results.median(idle.rttUs)
          / Results.median(idle.baselineRttUs), "<", 1.2));
    }
    t.addAll(results.sync.targets());
    t.addAll(new FloodSummary(results.flood).targets());
    return t;
  }

  private double splitMedian(String transport, String pair) {
    return Results.median(results.split.getOrDefault(transport, Map.of()).getOrDefault(pair, List.of()));
  }

  private int maxPeers() {
    return results.discoveryRows().stream().mapToInt(r -> r.peers).max().orElse(0);
  }

  private static void addRatio(List<Target> out, String name, Map<Variant, Double> m, Variant a, Variant b,
      String cmp, double limit) {
    if (m.containsKey(a) && m.containsKey(b)) {
      out.add(new Target(name, m.get(a) / m.get(b), cmp, limit));
    }
  }

  void print(PrintStream out) {
    out.println();
    out.println("peerlink benchmarks (" + config.name() + ", medians of " + config.reps() + " interleaved repetitions)");
    out.println("machine: " + machine);
    out.println("load:    " + load);
    Map<Variant, Double> rtt = results.microMedians(MicroBenchmarks.Mode.RTT);
    Map<Variant, Double> t1 = results.microMedians(MicroBenchmarks.Mode.PIPELINED_1X64);
    Map<Variant, Double> t4 = results.microMedians(MicroBenchmarks.Mode.PIPELINED_4X64);
    if (!rtt.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "%-15s %10s %16s %16s%n", "status", "RTT us", "1x64 req/s", "4x64 req/s");
      for (Variant v : Variant.all()) {
        if (rtt.containsKey(v) || t1.containsKey(v) || t4.containsKey(v)) {
          out.printf(Locale.ROOT, "%-15s %10.1f %,16.0f %,16.0f%n", v.key(), rtt.getOrDefault(v, Double.NaN),
              t1.getOrDefault(v, Double.NaN), t4.getOrDefault(v, Double.NaN));
        }
      }
    }
    results.skipped.forEach((k, why) -> out.println(k + " skipped: " + why));
    if (!results.split.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "%-34s %10s %10s %18s %10s%n", "client -> server", "unix us", "tcp us",
          "unix switches/rt", "tcp sw/rt");
      for (String pair : RttSplit.PAIRS) {
        out.printf(Locale.ROOT, "%-34s %10.1f %10.1f %18.2f %10.2f%n",
            pair.replace("_client_", " client -> ").replace('_', ' '), splitMedian("unix", pair),
            splitMedian("tcp", pair), splitMedian("unix", pair + RttSplit.SWITCHES),
            splitMedian("tcp", pair + RttSplit.SWITCHES));
      }
    }
    if (!results.discoveryRows().isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "%-10s %6s %12s %11s %9s %9s  %s%n", "discovery", "hung", "decision ms", "timeout ms",
          "ratio", "heap MB", "outcome");
      for (Results.DiscoveryRow r : results.discoveryRows()) {
        double d = Results.median(r.decisionMs);
        out.printf(Locale.ROOT, "%-10s %6d %12.0f %11d %9.2f %9.1f  %s%n", r.peers + " peers", r.hung, d, r.timeoutMs,
            d / r.timeoutMs, Results.median(r.heapMb), r.outcome);
      }
    }
    Results.Idle idle = results.idle;
    if (!idle.rttUs.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "idle: %,d connections on one peerlink tcp master: RTT %.1f us (%.1f us without), heap +%.1f MB%n",
          idle.count, Results.median(idle.rttUs), Results.median(idle.baselineRttUs), Results.median(idle.heapMb));
    }
    results.sync.print(out);
    new FloodSummary(results.flood).print(out);
    out.println();
    out.println("targets:");
    for (Target t : targets()) {
      out.printf(Locale.ROOT, "  %-4s %-62s %8.2f %s %s%n", t.met() ? "MET" : "MISS", t.name(), t.value(),
          t.comparison(), fmt(t.limit()));
    }
  }

  void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, json(), StandardCharsets.UTF_8);
  }

  String json() {
    StringBuilder j = new StringBuilder();
    j.append("{\"machine\": ").append(str(machine)).append(",\n");
    j.append(" \"rtt_us\": ").append(variantMap(results.microMedians(MicroBenchmarks.Mode.RTT))).append(",\n");
    j.append(" \"throughput_rps\": ").append(variantMap(results.microMedians(MicroBenchmarks.Mode.PIPELINED_4X64)))
        .append(",\n");
    j.append(" \"discovery\": [");
    List<Results.DiscoveryRow> rows = results.discoveryRows();
    for (int i = 0; i < rows.size(); i++) {
      Results.DiscoveryRow r = rows.get(i);
      j.append(i == 0 ? "" : ",").append("\n   {\"peers\": ").append(r.peers).append(", \"hung\": ").append(r.hung)
          .append(", \"decision_ms\": ").append(num(Results.median(r.decisionMs))).append(", \"timeout_ms\": ")
          .append(r.timeoutMs).append(", \"heap_mb\": ").append(num(Results.median(r.heapMb)))
          .append(", \"outcome\": ").append(str(r.outcome)).append('}');
    }
    j.append(rows.isEmpty() ? "],\n" : "\n ],\n");
    Results.Idle idle = results.idle;
    j.append(" \"idle_connections\": {\"count\": ").append(idle.count).append(", \"rtt_us\": ")
        .append(num(Results.median(idle.rttUs))).append(", \"heap_mb\": ").append(num(Results.median(idle.heapMb)))
        .append(", \"baseline_rtt_us\": ").append(num(Results.median(idle.baselineRttUs))).append("},\n");
    j.append(" \"throughput_rps_1x64\": ")
        .append(variantMap(results.microMedians(MicroBenchmarks.Mode.PIPELINED_1X64))).append(",\n");
    j.append(" \"rtt_split_us\": {");
    boolean firstTransport = true;
    for (String transport : results.split.keySet()) {
      j.append(firstTransport ? "" : ", ").append(str(transport)).append(": {");
      boolean firstPair = true;
      for (String pair : RttSplit.PAIRS) {
        j.append(firstPair ? "" : ", ").append(str(pair)).append(": ").append(num(splitMedian(transport, pair)));
        firstPair = false;
      }
      for (String pair : RttSplit.PAIRS) {
        j.append(", ").append(str(pair + RttSplit.SWITCHES)).append(": ")
            .append(num(splitMedian(transport, pair + RttSplit.SWITCHES)));
      }
      j.append('}');
      firstTransport = false;
    }
    j.append("},\n");
    if (!results.sync.isEmpty()) {
      j.append(" \"sync\": ").append(results.sync.json()).append(",\n");
    }
    j.append(" \"skipped\": {");
    boolean first = true;
    for (Map.Entry<String, String> e : results.skipped.entrySet()) {
      j.append(first ? "" : ", ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
      first = false;
    }
    j.append("},\n");
    if (new FloodSummary(results.flood).ran()) {
      j.append(" \"flood\": ").append(new FloodSummary(results.flood).json()).append(",\n");
    }
    j.append(" \"run\": ").append(str(config.name())).append(", \"repetitions\": ").append(config.reps())
        .append(", \"load\": ").append(str(load)).append(",\n");
    j.append(" \"targets\": [");
    List<Target> ts = targets();
    for (int i = 0; i < ts.size(); i++) {
      Target t = ts.get(i);
      j.append(i == 0 ? "" : ",").append("\n   {\"name\": ").append(str(t.name())).append(", \"value\": ")
          .append(num(t.value())).append(", \"limit\": ").append(str(t.comparison() + " " + fmt(t.limit())))
          .append(", \"met\": ").append(t.met()).append('}');
    }
    j.append(ts.isEmpty() ? "]}\n" : "\n ]}\n");
    return j.toString();
  }

  private static String variantMap(Map<Variant, Double> m) {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<Variant, Double> e : m.entrySet()) {
      b.append(first ? "" : ", ").append(str(e.getKey().key())).append(": ").append(num(e.getValue()));
      first = false;
    }
    return b.append('}').toString();
  }

  static String num(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null";
    }
    return d >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.2f", d);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }
}
