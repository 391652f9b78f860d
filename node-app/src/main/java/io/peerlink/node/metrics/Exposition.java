package io.peerlink.node.metrics;

import java.util.Locale;

/** The two text formats {@code /metrics} serves, chosen by the request's {@code Accept} header. */
public enum Exposition {
  /** The Prometheus text format 0.0.4, the default. */
  PROMETHEUS("text/plain; version=0.0.4; charset=utf-8"),
  /** OpenMetrics 1.0, when the client asks for {@code application/openmetrics-text}. */
  OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

  private final String contentType;

  Exposition(String contentType) {
    this.contentType = contentType;
  }

  /** The response's {@code Content-Type}. */
  public String contentType() {
    return contentType;
  }

  /**
   * OpenMetrics when the header names it (Prometheus sends it first, with a quality), else the
   * Prometheus text format; a missing header gets the default.
   */
  public static Exposition forAccept(String accept) {
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
        ? OPENMETRICS : PROMETHEUS;
  }
}
