package io.peerlink.transport.api;

import java.util.concurrent.CompletableFuture;

/**
 * Connects to and listens on endpoints of the schemes its {@link TransportProvider} serves.
 * Obtained from {@link TransportProvider#create()} or {@link TransportRegistry#transportFor}.
 * Closing it closes every connection and listener it made, and releases its threads.
 */
public interface Transport extends AutoCloseable {

  /**
   * Opens a connection. Never blocks; never throws: every failure completes the future
   * exceptionally with a {@link TransportException} naming the endpoint.
   *
   * @param endpoint where to connect; a TCP port of 0 is refused
   * @param options framing, maximum frame length, connect timeout
   * @param handler receives the connection's inbound frames, from the first one on
   */
  CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler);

  /**
   * Binds and starts accepting. Returns once bound, so the endpoint accepts connections when this
   * returns.
   *
   * @throws TransportException of kind {@link TransportException.Kind#BIND_FAILED} naming the
   *     endpoint when it is in use or cannot be bound
   */
  Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler) throws TransportException;

  /** Closes everything this transport opened; idempotent. */
  @Override
  void close();
}
