package io.peerlink.transport.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How to open a connection: the framing, the largest frame accepted, and how long to wait for the
 * connection to be established.
 *
 * @param format the framing of both directions
 * @param maxFrameLength the largest payload accepted or sent, in bytes
 * @param connectTimeout how long a connect may take before it fails with
 *     {@link TransportException.Kind#TIMED_OUT}
 * @param tls TLS settings, needed by endpoints of a TLS scheme; null for none
 */
public record ConnectOptions(FrameFormat format, int maxFrameLength, Duration connectTimeout, TlsOptions tls) {

  /** 16 MiB: above the seed's 10 MB cap on status responses. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

  /** The seed's status-read timeout, 5 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Validates the values. */
  public ConnectOptions {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (maxFrameLength < 1) {
      throw new IllegalArgumentException("maxFrameLength must be at least 1, got " + maxFrameLength);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
    }
  }

  /** Defaults with the given framing. */
  public static ConnectOptions of(FrameFormat format) {
    return new ConnectOptions(format, DEFAULT_MAX_FRAME_LENGTH, DEFAULT_CONNECT_TIMEOUT, null);
  }

  /** A copy with another maximum frame length. */
  public ConnectOptions withMaxFrameLength(int max) {
    return new ConnectOptions(format, max, connectTimeout, tls);
  }

  /** A copy with another connect timeout. */
  public ConnectOptions withConnectTimeout(Duration timeout) {
    return new ConnectOptions(format, maxFrameLength, timeout, tls);
  }

  /** A copy with TLS settings (null for none). */
  public ConnectOptions withTls(TlsOptions newTls) {
    return new ConnectOptions(format, maxFrameLength, connectTimeout, newTls);
  }
}
