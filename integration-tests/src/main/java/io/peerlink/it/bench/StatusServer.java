package io.peerlink.it.bench;

/** A server answering the status request, and the way to open client connections to it. */
public interface StatusServer extends AutoCloseable {

  /**
   * Opens one new client connection.
   *
   * @param pipelined whether the client will have several requests in flight
   *     ({@link StatusClient#callAsync}); a blocking-only client may skip machinery it then needs
   */
  StatusClient connect(boolean pipelined) throws Exception;

  /** Stops the server and closes its connections. */
  @Override
  void close();
}
