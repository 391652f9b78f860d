package io.peerlink.transport.api;

import java.io.IOException;

/**
 * A frame header that is malformed or announces more than the maximum frame length. Transports
 * turn it into a {@link TransportException} of kind {@link TransportException.Kind#BAD_FRAME}
 * naming the endpoint, and close the connection: the stream cannot be resynchronised.
 */
public final class FrameFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message what was wrong with the header */
  public FrameFormatException(String message) {
    super(message);
  }
}
