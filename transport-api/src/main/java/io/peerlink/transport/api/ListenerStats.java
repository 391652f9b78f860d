package io.peerlink.transport.api;

/**
 * What a listener has seen since it started: a snapshot of counters, for operators and tests.
 *
 * @param accepted connections accepted (admitted or not)
 * @param active connections open now
 * @param refusedByPolicy connections closed at accept by the {@link AccessPolicy}
 * @param refusedOverLimit connections closed at accept by a {@link ListenerLimits} cap
 * @param closedIdle connections closed by the idle timeout
 * @param closedPartialFrame connections closed because a frame stayed incomplete too long
 * @param badFrames connections closed for a malformed or over-long frame header
 * @param handlerErrors connections closed because their handler threw
 * @param readPauses times reading from a connection was paused because too many answers were pending
 */
public record ListenerStats(long accepted, long active, long refusedByPolicy, long refusedOverLimit, long closedIdle,
    long closedPartialFrame, long badFrames, long handlerErrors, long readPauses) {

  /** All zeros. */
  public static final ListenerStats ZERO = new ListenerStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
