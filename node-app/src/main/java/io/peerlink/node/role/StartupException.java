package io.peerlink.node.role;

/**
 * A role could not start: the message names what (the config key, the endpoint) and why, e.g.
 * {@code peer_rpc_port: cannot listen on tcp://0.0.0.0:19200: address already in use}.
 */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param message what could not start and why */
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
