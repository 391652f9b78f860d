package io.peerlink.node.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The metrics endpoint and the counters' log line. Immutable; built by {@link ConfigLoader}.
 *
 * @param enabled {@code enable_metrics}: whether the HTTP endpoint runs
 * @param bind {@code metrics_bind}: the address it binds to
 * @param port {@code metrics_port}: its TCP port; 0 takes a free one
 * @param logInterval {@code metrics.interval}: how often the master logs its counters; zero disables
 */
public record MetricsSettings(boolean enabled, String bind, int port, Duration logInterval) {

  /** Checks for nulls and the port's range. */
  public MetricsSettings {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(logInterval, "logInterval");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("metrics_port = " + port + ": expected 0-65535");
    }
  }

  /** The endpoint on: these settings with {@code enable_metrics = true} at this address (tests, the demo). */
  public MetricsSettings on(String bindAddress, int bindPort) {
    return new MetricsSettings(true, bindAddress, bindPort, logInterval);
  }
}
