package io.peerlink.transport.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What a listener tolerates from the connections it accepts, so that whatever connects to an
 * open port, however many arrive and however they behave, honest peers keep being served.
 *
 * @param idleTimeout a connection that sends nothing for this long is closed; zero disables
 * @param partialFrameTimeout a frame still incomplete after this long is dropped with its
 *     connection (slowloris); zero disables
 * @param maxConnections connections open at once on this listener; more are closed at accept
 * @param maxConnectionsPerAddress connections open at once from one remote address (TCP);
 *     transports without remote addresses ignore it
 * @param maxPipelined frames read from one connection whose answers have not been written yet;
 *     at the bound the transport stops reading that connection (backpressure) until answers
 *     drain, so no buffer grows without bound
 */
public record ListenerLimits(Duration idleTimeout, Duration partialFrameTimeout, int maxConnections,
    int maxConnectionsPerAddress, int maxPipelined) {

  /** 30 s idle, 10 s per partial frame, 1,024 connections, 64 per address, 256 pipelined. */
  public static final ListenerLimits DEFAULTS =
      new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024, 64, 256);

  /** Validates the values; messages name the field and the value. */
  public ListenerLimits {
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(partialFrameTimeout, "partialFrameTimeout");
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must be zero (off) or positive, got " + idleTimeout);
    }
    if (partialFrameTimeout.isNegative()) {
      throw new IllegalArgumentException("partialFrameTimeout must be zero (off) or positive, got " + partialFrameTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
    }
    if (maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, got " + maxConnectionsPerAddress);
    }
    if (maxPipelined < 1) {
      throw new IllegalArgumentException("maxPipelined must be at least 1, got " + maxPipelined);
    }
  }

  /** A copy with another idle timeout. */
  public ListenerLimits withIdleTimeout(Duration timeout) {
    return new ListenerLimits(timeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, maxPipelined);
  }

  /** A copy with another partial-frame timeout. */
  public ListenerLimits withPartialFrameTimeout(Duration timeout) {
    return new ListenerLimits(idleTimeout, timeout, maxConnections, maxConnectionsPerAddress, maxPipelined);
  }

  /** A copy with other connection caps. */
  public ListenerLimits withMaxConnections(int total, int perAddress) {
    return new ListenerLimits(idleTimeout, partialFrameTimeout, total, perAddress, maxPipelined);
  }

  /** A copy with another pipelining bound. */
  public ListenerLimits withMaxPipelined(int max) {
    return new ListenerLimits(idleTimeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, max);
  }
}
