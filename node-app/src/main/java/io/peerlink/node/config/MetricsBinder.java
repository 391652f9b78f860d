package io.peerlink.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Binds the metrics endpoint and the counters' log line: {@code enable_metrics},
 * {@code metrics_bind}, {@code metrics_port} and {@code metrics.interval}.
 */
final class MetricsBinder {

  private final ConfigReader r;
  private final MetricsSettings settings;

  /** Reads the keys, recording each bad value in {@code r}. */
  MetricsBinder(ConfigReader r) {
    this.r = r;
    this.settings = read();
  }

  /** The settings; only once the reader holds no problem. */
  MetricsSettings settings() {
    return settings;
  }

  /** {@code enable_metrics}, {@code metrics_bind}, {@code metrics_port}, {@code metrics.interval}. */
  private MetricsSettings read() {
    Boolean enabled = r.bool("enable_metrics");
    int port = (int) r.integer("metrics_port", 0, 65535, "a port number 1-65535, or 0 for a free port");
    String bind = r.string("metrics_bind");
    if (bind != null) {
      try {
        InetAddress.getByName(bind.strip());
      } catch (UnknownHostException | SecurityException e) {
        r.problem("metrics_bind", r.value("metrics_bind"), "expected an address of this machine to bind to, such as"
            + " 127.0.0.1 or 0.0.0.0 (" + e.getMessage() + ")");
        bind = null;
      }
    }
    Duration interval = r.durationOrZero("metrics.interval");
    if (enabled == null || port < 0 || bind == null || interval == null) {
      return null; // a problem was recorded
    }
    return new MetricsSettings(enabled, bind.strip(), port, interval);
  }
}
