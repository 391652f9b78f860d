package io.peerlink.transport.api;

/**
 * A bound, accepting endpoint. Closing it stops accepting, closes the connections it accepted,
 * and frees the port or socket path for immediate re-use.
 */
public interface Listener extends AutoCloseable {

  /** Where it listens, as bound: a TCP port of 0 is replaced by the port the system gave. */
  Endpoint endpoint();

  /**
   * The listener's counters. Transports that do not count return {@link ListenerStats#ZERO}.
   */
  default ListenerStats stats() {
    return ListenerStats.ZERO;
  }

  /** Stops listening; idempotent. Returns once the port or path is free. */
  @Override
  void close();
}
