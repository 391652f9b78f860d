package io.peerlink.it.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every sample of one run, kept until the medians are taken. Used from one thread. */
final class Results {

  /** One discovery scenario's samples. */
  static final class DiscoveryRow {
    final int peers;
    final int hung;
    final long timeoutMs;
    final List<Double> decisionMs = new ArrayList<>();
    final List<Double> heapMb = new ArrayList<>();
    String outcome = "";

    DiscoveryRow(int peers, int hung, long timeoutMs) {
      this.peers = peers;
      this.hung = hung;
      this.timeoutMs = timeoutMs;
    }
  }

  /** The idle-connections benchmark's samples. */
  static final class Idle {
    int count;
    final List<Double> baselineRttUs = new ArrayList<>();
    final List<Double> rttUs = new ArrayList<>();
    final List<Double> heapMb = new ArrayList<>();
  }

  private final Map<MicroBenchmarks.Mode, Map<Variant, List<Double>>> micro =
      new EnumMap<>(MicroBenchmarks.Mode.class);
  private final Map<String, DiscoveryRow> discovery = new LinkedHashMap<>();
  final Idle idle = new Idle();
  /** Catch-up, the disk's limits, and block intake ({@link CatchUpBenchmark}, {@link IntakeBenchmark}). */
  final SyncResults sync = new SyncResults();
  /** The peer-port flood benchmark's figures. */
  final FloodResults flood = new FloodResults();
  /** Round trips of client/server pairs, by transport then pair. */
  final Map<String, Map<String, List<Double>>> split = new LinkedHashMap<>();
  /** Variants that could not run here, with the reason. */
  final Map<String, String> skipped = new LinkedHashMap<>();

  void addMicro(MicroBenchmarks.Mode mode, Variant v, double score) {
    micro.computeIfAbsent(mode, m -> new EnumMap<>(Variant.class)).computeIfAbsent(v, x -> new ArrayList<>()).add(score);
  }

  /** Median per variant, in {@link Variant} order; empty when the mode did not run. */
  Map<Variant, Double> microMedians(MicroBenchmarks.Mode mode) {
    Map<Variant, Double> out = new EnumMap<>(Variant.class);
    micro.getOrDefault(mode, Map.of()).forEach((v, samples) -> out.put(v, median(samples)));
    return out;
  }

  void addSplit(String transport, String pair, double us) {
    split.computeIfAbsent(transport, t -> new LinkedHashMap<>()).computeIfAbsent(pair, p -> new ArrayList<>()).add(us);
  }

  DiscoveryRow discoveryRow(int peers, int hung, long timeoutMs) {
    return discovery.computeIfAbsent(peers + "/" + hung, k -> new DiscoveryRow(peers, hung, timeoutMs));
  }

  List<DiscoveryRow> discoveryRows() {
    return new ArrayList<>(discovery.values());
  }

  /** The latest sample; NaN when there are none. */
  static double last(List<Double> samples) {
    return samples.isEmpty() ? Double.NaN : samples.get(samples.size() - 1);
  }

  /** The median; NaN when there are no samples. */
  static double median(List<Double> samples) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(samples);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
