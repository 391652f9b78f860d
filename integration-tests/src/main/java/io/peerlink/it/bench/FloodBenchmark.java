package io.peerlink.it.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The peer-port floods of issue 14 against the packaged master ({@link FloodMaster}): the honest
 * peer's status probes ({@link HonestPeer}) and the master's memory at baseline and under each
 * flood in turn: (a) {@link HeldConnections}, (b) {@link UnreadRanges} and the memory after its
 * connections close, (c) {@link RangeReaders}. One pass; each latency figure is a percentile over
 * that phase's probes. Targets are judged by {@link FloodSummary}, never asserted here.
 */
final class FloodBenchmark {

  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final double MIB = 1024.0 * 1024.0;

  private final FloodPlan plan;
  private final FloodResults results;

  FloodBenchmark(BenchConfig config, Results results) {
    this.plan = FloodPlan.of(config);
    this.results = results.flood;
  }

  void run() throws Exception {
    results.chainBlocks = plan.chainBlocks();
    results.masterLimits = plan.masterLimits().isEmpty() ? "defaults" : String.join(", ",
        plan.masterLimits().entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).sorted().toList());
    try (FloodMaster master = FloodMaster.start(plan.chainBlocks(), plan.masterLimits())) {
      System.out.printf(Locale.ROOT, "  master pid %d on %s, %,d blocks, limits: %s%n", master.pid(),
          master.peerPort(), plan.chainBlocks(), results.masterLimits);
      HonestPeer honest = new HonestPeer(master.peerPort(), plan.chainBlocks());
      RangeRequests ranges = new RangeRequests(plan.chainBlocks());
      warmUp(master, honest, ranges);
      measure(master, results.phase("baseline", "no flood"), honest);
      held(master, honest);
      unread(master, honest, ranges);
      readers(master, honest, ranges);
    }
  }

  /** Every path the phases take once (JIT, pools), so the baseline is the master at work, not at start. */
  private void warmUp(FloodMaster master, HonestPeer honest, RangeRequests ranges) throws Exception {
    honest.run(Duration.ofSeconds(2), Duration.ofMillis(5), 200, new FloodResults.Honest());
    try (RangeReaders r = RangeReaders.start(master.peerPort(), 2, ranges)) {
      r.awaitAllAnswering(System.nanoTime() + SETTLE.toNanos());
    }
    master.awaitPeerConnectionsAtMost(0, SETTLE);
  }

  /** (a): every attempted connection accepted or refused by the master, then the honest peer measured. */
  private void held(FloodMaster master, HonestPeer honest) throws Exception {
    FloodResults.Phase p = results.phase("held_connections", String.format(Locale.ROOT, "(a) %d addresses x %d held",
        plan.heldAddresses(), plan.heldPerAddress()));
    double refusedBefore = overLimit(master.metrics());
    try (HeldConnections flood = HeldConnections.open(master.peerPort(), plan.heldAddresses(), plan.heldPerAddress())) {
      int connected = flood.connected();
      master.awaitMetric("all " + connected + " flood connections accepted or refused", SETTLE,
          m -> m.peerPort("peerlink_listener_connections_open") + overLimit(m) - refusedBefore >= connected);
      MasterMetrics m = master.metrics();
      p.counts.put("connections", (double) plan.heldConnections());
      p.counts.put("connect_failures", (double) flood.connectFailures());
      p.counts.put("admitted", m.peerPort("peerlink_listener_connections_open"));
      p.counts.put("refused_over_limit", overLimit(m) - refusedBefore);
      measure(master, p, honest);
      p.counts.put("held_at_end", (double) flood.stillOpen());
    }
    master.awaitPeerConnectionsAtMost(0, SETTLE);
  }

  /** (b): the flood written while the honest peer is measured; then closed, and the memory watched. */
  private void unread(FloodMaster master, HonestPeer honest, RangeRequests ranges) throws Exception {
    FloodResults.Phase p = results.phase("unread_ranges", String.format(Locale.ROOT, "(b) %d pipelining, unread",
        plan.unreadConnections()));
    double baseline = results.get("baseline").rssMb;
    MasterMetrics before = master.metrics();
    double pausesBefore = before.peerPort("peerlink_listener_read_pauses_total");
    double acceptedBefore = before.peerPort("peerlink_listener_connections_accepted_total");
    try (UnreadRanges flood = UnreadRanges.start(master.peerPort(), plan.unreadConnections(), plan.unreadAddresses(),
        plan.unreadRequests(), ranges)) {
      int connected = flood.connected();
      // Accepted, not open: the master may close a connection that keeps asking for refused ranges.
      master.awaitMetric("all " + connected + " flood connections accepted", SETTLE,
          m -> m.peerPort("peerlink_listener_connections_accepted_total") - acceptedBefore >= connected);
      measure(master, p, honest);
      p.counts.put("open_at_end", master.metrics().peerPort("peerlink_listener_connections_open"));
      p.counts.put("connections", (double) plan.unreadConnections());
      p.counts.put("connect_failures", (double) flood.connectFailures());
      p.counts.put("requests_written", (double) flood.requestsWritten());
      p.counts.put("read_pauses", master.metrics().peerPort("peerlink_listener_read_pauses_total") - pausesBefore);
    }
    master.awaitPeerConnectionsAtMost(0, SETTLE);
    // Released? The RSS is watched until it is back within the bound of the baseline, or the wait ends.
    results.unreadBoundMb = plan.unreadConnections() * unansweredBytes() / MIB + FloodSummary.SLACK_MB;
    long end = System.nanoTime() + plan.releaseWait().toNanos();
    double rss = master.rssMb();
    while (rss > baseline + FloodSummary.RELEASED_MB && System.nanoTime() < end) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // poll interval, bounded by the wait
      rss = master.rssMb();
    }
    results.rssAfterCloseMb = rss;
    results.heapCommittedAfterCloseMb = heapMb(master.metrics(), "jvm_memory_committed_bytes");
    System.out.printf(Locale.ROOT, "  after (b) closed: RSS %.0f MB (baseline %.0f MB), heap committed %.0f MB%n",
        rss, baseline, results.heapCommittedAfterCloseMb);
  }

  /** (c): every reader answered once, then the honest peer measured while they read on. */
  private void readers(FloodMaster master, HonestPeer honest, RangeRequests ranges) throws Exception {
    FloodResults.Phase p = results.phase("range_readers", String.format(Locale.ROOT, "(c) %d reading ranges",
        plan.readers()));
    try (RangeReaders flood = RangeReaders.start(master.peerPort(), plan.readers(), ranges)) {
      flood.awaitAllAnswering(System.nanoTime() + SETTLE.toNanos());
      long served = flood.served();
      long refused = flood.refused();
      long bytes = flood.answerBytes();
      long t0 = System.nanoTime();
      measure(master, p, honest);
      double seconds = (System.nanoTime() - t0) / 1e9;
      p.counts.put("connections", (double) plan.readers());
      p.counts.put("range_answers_per_s", (flood.served() - served) / seconds);
      p.counts.put("blocks_per_s", (flood.served() - served) * FloodPlan.RANGE_BLOCKS / seconds);
      p.counts.put("refused_per_s", (flood.refused() - refused) / seconds);
      p.counts.put("answer_mb_per_s", (flood.answerBytes() - bytes) / MIB / seconds);
      p.counts.put("reconnects", (double) flood.reconnects());
    }
    master.awaitPeerConnectionsAtMost(0, SETTLE);
  }

  /** The honest peer through one window, the master's RSS sampled meanwhile; then its memory. */
  private void measure(FloodMaster master, FloodResults.Phase p, HonestPeer honest) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    double[] peak = {master.rssMb()};
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        try {
          peak[0] = Math.max(peak[0], master.rssMb());
        } catch (IOException e) {
          return; // the process ended; the run fails on its next check
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // sampling interval
      }
    }, "flood-rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      honest.run(plan.window(), plan.honestPace(), plan.maxProbes(), p.honest);
    } finally {
      done.set(true);
      sampler.join(5_000);
    }
    master.checkAlive();
    p.rssMb = master.rssMb();
    p.rssPeakMb = Math.max(peak[0], p.rssMb);
    MasterMetrics m = master.metrics();
    p.heapCommittedMb = heapMb(m, "jvm_memory_committed_bytes");
    p.heapUsedMb = heapMb(m, "jvm_memory_used_bytes");
    System.out.printf(Locale.ROOT, "  %-28s honest %d/%d ok, p50 %.2f ms, p99 %.2f ms; RSS %.0f MB (peak %.0f)%s%n",
        p.title, p.honest.succeeded(), p.honest.attempts(), p.honest.quantileMs(0.5), p.honest.quantileMs(0.99),
        p.rssMb, p.rssPeakMb, p.honest.failures.isEmpty() ? "" : "; failures: " + p.honest.failures);
  }

  private static double overLimit(MasterMetrics m) {
    return m.peerPort("peerlink_listener_connections_refused_total", "reason=\"over_limit\"");
  }

  private static double heapMb(MasterMetrics m, String name) {
    return m.sum(name, "area=\"heap\"") / MIB;
  }

  /** The master's {@code limits.peer_rpc.max_unanswered_bytes} in this run. */
  private double unansweredBytes() {
    return Double.parseDouble(plan.masterLimits().getOrDefault("limits.peer_rpc.max_unanswered_bytes", "262144"));
  }
}
