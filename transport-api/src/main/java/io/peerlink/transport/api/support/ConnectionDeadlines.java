package io.peerlink.transport.api.support;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of an accepted connection under its {@link ListenerLimits}: the idle timeout,
 * measured from the last traffic (a byte read or a send completed), and the partial-frame timeout,
 * measured from the first byte of a frame still incomplete (slowloris). Also the errors a
 * connection closes with when one passes, so that every transport reports them alike.
 *
 * <p>Times are {@link System#nanoTime()} values. The last traffic is volatile (written by readers
 * and writers); the rest is fixed at construction.
 */
public final class ConnectionDeadlines {

  private static final ConnectionDeadlines NONE = new ConnectionDeadlines(0, 0);

  private final long idleNanos; // 0: off
  private final long partialNanos; // 0: off
  private volatile long lastTrafficNanos = System.nanoTime();

  private ConnectionDeadlines(long idleNanos, long partialNanos) {
    this.idleNanos = idleNanos;
    this.partialNanos = partialNanos;
  }

  /** The deadlines of a connection accepted under {@code limits}. */
  public static ConnectionDeadlines of(ListenerLimits limits) {
    return new ConnectionDeadlines(limits.idleTimeout().toNanos(), limits.partialFrameTimeout().toNanos());
  }

  /** No deadlines: for connections this process dialled. */
  public static ConnectionDeadlines none() {
    return NONE;
  }

  /** Whether any deadline applies. */
  public boolean any() {
    return idleNanos > 0 || partialNanos > 0;
  }

  /** Whether the partial-frame timeout applies. */
  public boolean checksPartialFrames() {
    return partialNanos > 0;
  }

  /** The idle timeout in milliseconds; 0 when off. */
  public long idleTimeoutMillis() {
    return TimeUnit.NANOSECONDS.toMillis(idleNanos);
  }

  /** The partial-frame timeout in nanoseconds; 0 when off. */
  public long partialFrameTimeoutNanos() {
    return partialNanos;
  }

  /** Bytes moved at {@code now}: the idle clock starts again. */
  public void traffic(long now) {
    if (this != NONE) {
      lastTrafficNanos = now;
    }
  }

  /** Whether the connection has been idle for the idle timeout at {@code now}. */
  public boolean idleExpired(long now) {
    return idleNanos > 0 && now - lastTrafficNanos >= idleNanos;
  }

  /** Whether a frame begun at {@code since} has been incomplete for the partial-frame timeout at {@code now}. */
  public boolean partialExpired(long since, long now) {
    return partialNanos > 0 && now - since >= partialNanos;
  }

  /**
   * How long a wait may last: until the nearest deadline, rounded up to a whole millisecond; -1
   * for none, 0 when one is due.
   *
   * @param partialSince when the frame still incomplete began; ignored unless {@code checkPartial}
   */
  public long millisToNearest(boolean checkPartial, long partialSince, long now) {
    long deadline = 0;
    boolean any = false;
    if (idleNanos > 0) {
      deadline = lastTrafficNanos + idleNanos;
      any = true;
    }
    if (checkPartial && partialNanos > 0) {
      long d = partialSince + partialNanos;
      deadline = any && deadline - d < 0 ? deadline : d;
      any = true;
    }
    if (!any) {
      return -1;
    }
    long left = deadline - now;
    return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
  }

  /** The error a connection closes with when the idle timeout passed. */
  public TransportException idleError(Endpoint remote) {
    return new TransportException(remote, TransportException.Kind.TIMED_OUT, "no traffic for "
        + idleTimeoutMillis() + " ms (idle timeout); closing the connection");
  }

  /** The error a connection closes with when the partial-frame timeout passed. */
  public TransportException partialFrameError(Endpoint remote) {
    return new TransportException(remote, TransportException.Kind.TIMED_OUT, "a frame was still incomplete "
        + TimeUnit.NANOSECONDS.toMillis(partialNanos) + " ms after its first byte; dropping it with the connection");
  }
}
