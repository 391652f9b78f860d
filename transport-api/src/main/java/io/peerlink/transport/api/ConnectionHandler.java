package io.peerlink.transport.api;

/** What a {@link Listener} does with each connection it accepts. */
@FunctionalInterface
public interface ConnectionHandler {

  /**
   * Called once per accepted connection, before any of its frames is read.
   *
   * @return the handler for the connection's frames
   * @throws Exception to refuse the connection: it is closed, the listener goes on
   */
  FrameHandler onConnect(Connection connection) throws Exception;
}
