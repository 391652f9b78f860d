package io.peerlink.transport.api;

/**
 * Receives the frames of one connection, in order, on the connection's I/O thread. Handlers must
 * not block for long: while one runs, the connection reads nothing more.
 *
 * <p>An exception thrown by {@link #onFrame} closes that connection (it is logged with the remote
 * endpoint) and never the listener.
 */
@FunctionalInterface
public interface FrameHandler {

  /**
   * One whole frame, header removed.
   *
   * @param connection where it came from; reply with {@link Connection#send}
   * @param frame the payload; the handler owns the array
   */
  void onFrame(Connection connection, byte[] frame) throws Exception;

  /**
   * The connection closed. Called once.
   *
   * @param cause why, when it was not an orderly close; null otherwise
   */
  default void onClose(Connection connection, Throwable cause) {
  }
}
