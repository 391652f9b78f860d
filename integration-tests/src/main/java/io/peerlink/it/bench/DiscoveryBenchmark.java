package io.peerlink.it.bench;

/** Discovery over 10 to 1,000 peers: waits for PeerDiscovery (branch disc). */
final class DiscoveryBenchmark {
  private final BenchConfig config;
  private final Results results;

  DiscoveryBenchmark(BenchConfig config, Results results) {
    this.config = config;
    this.results = results;
  }

  void run() {
    throw new UnsupportedOperationException("discovery benchmark: PeerDiscovery is not merged yet ("
        + config.peerCounts() + " peers, " + results.discoveryRows().size() + " rows)");
  }
}
