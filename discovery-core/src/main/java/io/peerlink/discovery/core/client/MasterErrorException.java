package io.peerlink.discovery.core.client;

import io.peerlink.transport.api.Endpoint;

/**
 * A master answered a call with an {@code error} response (or a response whose own {@code error}
 * field was set). {@link #serverMessage()} is the master's text, unchanged.
 */
public final class MasterErrorException extends java.io.IOException {
  private static final long serialVersionUID = 1L;

  private final transient Endpoint endpoint;
  private final String serverMessage;

  /**
   * @param endpoint the master that answered, named in the message
   * @param call what was asked, e.g. {@code get_blocks_range}, named in the message
   * @param serverMessage the master's text
   */
  public MasterErrorException(Endpoint endpoint, String call, String serverMessage) {
    super(endpoint + ": master answered " + call + " with an error: " + serverMessage);
    this.endpoint = endpoint;
    this.serverMessage = serverMessage;
  }

  /** The master that answered. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The master's text, unchanged. */
  public String serverMessage() {
    return serverMessage;
  }
}
