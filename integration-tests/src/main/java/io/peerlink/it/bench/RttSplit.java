package io.peerlink.it.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where peerlink's round trip goes, client side or server side: the raw and the peerlink client,
 * each against the raw and the peerlink server, over unix and over tcp. The round trip of
 * "raw client, peerlink server" against "raw client, raw server" is what peerlink's server adds;
 * "peerlink client, raw server" what its client adds.
 */
final class RttSplit {

  /** The four pairs, by their key in summary.json's {@code rtt_split_us}. */
  static final List<String> PAIRS = List.of("raw_client_raw_server", "raw_client_peerlink_server",
      "peerlink_client_raw_server", "peerlink_client_peerlink_server");

  /** Suffix of the context-switches-per-round-trip keys. */
  static final String SWITCHES = "_switches";

  private final BenchConfig config;
  private final Results results;

  RttSplit(BenchConfig config, Results results) {
    this.config = config;
    this.results = results;
  }

  void run() throws Exception {
    for (String transport : List.of("unix", "tcp")) {
      Path dir = Files.createTempDirectory(Path.of("/tmp"), "plb");
      try (PeerlinkStatusServer peerlink = PeerlinkStatusServer.start(transport.equals("unix")
              ? PeerlinkStatusServer.unixEndpoint(dir) : PeerlinkStatusServer.tcpEndpoint());
          RawStatusServer raw = transport.equals("unix") ? RawStatusServer.startUnix(dir.resolve("raw.sock"))
              : RawStatusServer.startTcp()) {
        Map<String, StatusClient> clients = new LinkedHashMap<>();
        clients.put(PAIRS.get(0), raw.connect(false));
        clients.put(PAIRS.get(1), RawStatusServer.connectTo(peerlink.endpoint(), false));
        clients.put(PAIRS.get(2), peerlink.connectTo(raw.endpoint(), false));
        clients.put(PAIRS.get(3), peerlink.connect(false));
        try {
          for (StatusClient c : clients.values()) {
            meanRttUs(c); // warm-up
          }
          List<String> order = new ArrayList<>(clients.keySet());
          for (int rep = 0; rep < config.reps(); rep++) {
            for (int i = 0; i < order.size(); i++) {
              String pair = order.get((i + rep) % order.size());
              long switchesBefore = ContextSwitches.now();
              long[] calls = new long[1];
              double us = meanRttUs(clients.get(pair), config.rttSample(), calls);
              double switches = switchesBefore < 0 ? Double.NaN
                  : (double) (ContextSwitches.now() - switchesBefore) / calls[0];
              results.addSplit(transport, pair, us);
              results.addSplit(transport, pair + SWITCHES, switches);
              System.out.printf(Locale.ROOT, "  rep %d/%d  %-4s %-32s %7.1f us %5.2f context switches%n", rep + 1,
                  config.reps(), transport, pair, us, switches);
            }
          }
        } finally {
          for (StatusClient c : clients.values()) {
            c.close();
          }
        }
      } finally {
        Files.deleteIfExists(dir);
      }
    }
  }

  private double meanRttUs(StatusClient client) throws Exception {
    return meanRttUs(client, config.rttSample());
  }

  /** Mean round trip over one sample: {@code length} long, at most 200,000 calls. */
  static double meanRttUs(StatusClient client, Duration length) throws Exception {
    return meanRttUs(client, length, new long[1]);
  }

  /** As {@link #meanRttUs(StatusClient, Duration)}; {@code calls[0]} receives the number of calls. */
  static double meanRttUs(StatusClient client, Duration length, long[] calls) throws Exception {
    long start = System.nanoTime();
    long end = start + length.toNanos();
    int n = 0;
    long now;
    do {
      client.call();
      n++;
      now = System.nanoTime();
    } while (now < end && n < 200_000);
    calls[0] = n;
    return (now - start) / 1000.0 / n;
  }
}
