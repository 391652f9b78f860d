package io.peerlink.it.bench;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps logging out of the measurements: discovery logs a line per peer and per failure (a
 * thousand per round here), and grpc's Netty warns per Unix channel about an option it cannot set.
 * peerlink's System.Logger lines go to logback when node-app's logging is on the class path
 * (configured by {@code peerlink-bench-logback.xml}), else to java.util.logging (configured here).
 */
final class QuietLogs {

  /** The logback configuration in the benchmarks jar. */
  static final String LOGBACK_CONFIG = "peerlink-bench-logback.xml";

  // java.util.logging holds loggers weakly: the levels last only while these references do.
  private static final List<Logger> KEPT = List.of(
      level("io.peerlink", Level.WARNING),
      level("io.peerlink.discovery.core.discovery.PeerDiscovery", Level.SEVERE),
      level("io.grpc.netty.shaded.io.netty.bootstrap", Level.SEVERE));

  private QuietLogs() {
  }

  /** Applies the levels (loading this class sets those of java.util.logging); call before anything logs. */
  static void apply() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
    }
  }

  private static Logger level(String name, Level level) {
    Logger l = Logger.getLogger(name);
    l.setLevel(level);
    return l;
  }
}
