package io.peerlink.it.bench;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.ListenerLimits;
import java.time.Duration;
import java.util.Locale;

/**
 * One peerlink TCP master holding {@code idleCount} idle connections (opened by an
 * {@link IdleClients} child process) while a client in this process measures the status round trip.
 * Each repetition measures the RTT and the live heap without, then with, the idle connections.
 */
final class IdleConnectionsBenchmark {

  private static final Duration DEADLINE = Duration.ofSeconds(120);

  private final BenchConfig config;
  private final Results results;

  IdleConnectionsBenchmark(BenchConfig config, Results results) {
    this.config = config;
    this.results = results;
  }

  void run() throws Exception {
    int n = config.idleCount();
    results.idle.count = n;
    long fdLimit = descriptorLimit();
    if (fdLimit >= 0 && fdLimit < n + 1_000L) {
      throw new IllegalStateException("this process may open " + fdLimit + " files; holding " + n
          + " connections needs about " + (n + 1_000) + ": raise it with 'ulimit -n " + (n + 1_000)
          + "' (./peerlink bench does) or lower the count");
    }
    ConnectionCounter counter = new ConnectionCounter(StatusHandlers.responder());
    // The master must admit n idle connections from one loopback address and keep them: the
    // listener's defaults (1,024 connections, 64 per address, 30 s idle timeout) would refuse or
    // close them, which is what a peer port should do but not what this benchmark measures.
    ListenOptions options = ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withBacklog(4096)
        .withLimits(ListenerLimits.DEFAULTS.withMaxConnections(n + 16, n + 16).withIdleTimeout(java.time.Duration.ZERO));
    try (PeerlinkStatusServer master = PeerlinkStatusServer.start(PeerlinkStatusServer.tcpEndpoint(), counter, options);
        StatusClient client = master.connect(false);
        IdleClientsProcess idle = IdleClientsProcess.start(master.endpoint().host(), master.endpoint().port())) {
      counter.awaitOpen(1, DEADLINE);
      rttUs(client); // warm-up
      for (int rep = 0; rep < config.reps(); rep++) {
        double heapBefore = HeapProbe.liveMb();
        double without = rttUs(client);
        int held = idle.open(n, DEADLINE);
        if (held != n) {
          throw new IllegalStateException("idle clients hold " + held + " connections, expected " + n);
        }
        counter.awaitOpen(n + 1, DEADLINE);
        double with = rttUs(client);
        double heap = HeapProbe.liveMb() - heapBefore;
        idle.closeAll(DEADLINE);
        counter.awaitOpen(1, DEADLINE);
        results.idle.baselineRttUs.add(without);
        results.idle.rttUs.add(with);
        results.idle.heapMb.add(heap);
        System.out.printf(Locale.ROOT, "  rep %d/%d  idle %,d: RTT %.1f us (without %.1f us), heap +%.1f MB%n",
            rep + 1, config.reps(), n, with, without, heap);
      }
    }
  }

  private static long descriptorLimit() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.UnixOperatingSystemMXBean
        ? ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount() : -1;
  }

  private double rttUs(StatusClient client) throws Exception {
    return RttSplit.meanRttUs(client, config.rttSample());
  }

}
