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
 * @param reservedConnections of {@code maxConnections}, how many only the addresses of
 *     {@link ListenOptions#reservedFor()} may take, so strangers cannot lock them out (TCP);
 *     0 reserves none
 * @param maxUnansweredBytes answer bytes written to one connection and not yet taken by its peer;
 *     past it the transport stops reading that connection until they drain (TCP)
 */
public record ListenerLimits(Duration idleTimeout, Duration partialFrameTimeout, int maxConnections,
    int maxConnectionsPerAddress, int maxPipelined, int reservedConnections, int maxUnansweredBytes) {

  /** 256 KiB: a peer that does not read its answers holds at most this (plus the answer in hand). */
  public static final int DEFAULT_MAX_UNANSWERED_BYTES = 256 * 1024;

  /**
   * 30 s idle, 10 s per partial frame, 1,024 connections, 64 per address, 256 pipelined, none
   * reserved, 256 KiB unanswered.
   */
  public static final ListenerLimits DEFAULTS =
      new ListenerLimits(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024, 64, 256);

  /** No reserved connections, {@link #DEFAULT_MAX_UNANSWERED_BYTES}. */
  public ListenerLimits(Duration idleTimeout, Duration partialFrameTimeout, int maxConnections,
      int maxConnectionsPerAddress, int maxPipelined) {
    this(idleTimeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, maxPipelined, 0,
        DEFAULT_MAX_UNANSWERED_BYTES);
  }

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
    if (reservedConnections < 0 || reservedConnections >= maxConnections) {
      throw new IllegalArgumentException("reservedConnections must be 0 to maxConnections - 1 (" + (maxConnections - 1)
          + "), got " + reservedConnections);
    }
    if (maxUnansweredBytes < 1) {
      throw new IllegalArgumentException("maxUnansweredBytes must be at least 1, got " + maxUnansweredBytes);
    }
  }

  /** A copy with another idle timeout. */
  public ListenerLimits withIdleTimeout(Duration timeout) {
    return new ListenerLimits(timeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, maxPipelined,
        reservedConnections, maxUnansweredBytes);
  }

  /** A copy with another partial-frame timeout. */
  public ListenerLimits withPartialFrameTimeout(Duration timeout) {
    return new ListenerLimits(idleTimeout, timeout, maxConnections, maxConnectionsPerAddress, maxPipelined,
        reservedConnections, maxUnansweredBytes);
  }

  /** A copy with other connection caps (the reserved ones kept below the new total). */
  public ListenerLimits withMaxConnections(int total, int perAddress) {
    return new ListenerLimits(idleTimeout, partialFrameTimeout, total, perAddress, maxPipelined,
        Math.min(reservedConnections, Math.max(0, total - 1)), maxUnansweredBytes);
  }

  /** A copy with another pipelining bound. */
  public ListenerLimits withMaxPipelined(int max) {
    return new ListenerLimits(idleTimeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, max,
        reservedConnections, maxUnansweredBytes);
  }

  /** A copy reserving {@code reserved} of the connections for {@link ListenOptions#reservedFor()}. */
  public ListenerLimits withReservedConnections(int reserved) {
    return new ListenerLimits(idleTimeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, maxPipelined,
        reserved, maxUnansweredBytes);
  }

  /** A copy with another bound on unanswered bytes per connection. */
  public ListenerLimits withMaxUnansweredBytes(int bytes) {
    return new ListenerLimits(idleTimeout, partialFrameTimeout, maxConnections, maxConnectionsPerAddress, maxPipelined,
        reservedConnections, bytes);
  }
}
