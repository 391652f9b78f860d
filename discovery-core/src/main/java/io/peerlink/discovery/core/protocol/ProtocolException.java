package io.peerlink.discovery.core.protocol;

import java.io.IOException;

/**
 * Bytes that are not a valid protocol message: truncated, over-long, malformed, or a message of
 * the wrong kind. The message says what was wrong and, where it helps, at which offset.
 */
public final class ProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message what was wrong */
  public ProtocolException(String message) {
    super(message);
  }

  /**
   * @param message what was wrong
   * @param cause the underlying error
   */
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
