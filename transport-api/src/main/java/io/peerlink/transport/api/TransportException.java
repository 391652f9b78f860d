package io.peerlink.transport.api;

import java.io.IOException;

/**
 * A transport failure. It always names the endpoint it concerns, and says which {@link Kind} of
 * failure it was so that callers (peer discovery, health tracking) can tell a refused peer from a
 * hung one without parsing messages.
 */
public class TransportException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, coarsely. */
  public enum Kind {
    /** Nothing listens at the endpoint (connection refused, socket file missing). */
    REFUSED,
    /** A connect or a request did not finish within its deadline. */
    TIMED_OUT,
    /** The connection was closed, by either side, before the operation finished. */
    CLOSED,
    /** A frame exceeded the maximum length or its header was malformed. */
    BAD_FRAME,
    /** The endpoint cannot be listened on (in use, a regular file, no permission). */
    BIND_FAILED,
    /** No installed provider serves the endpoint's scheme, or it is unavailable. */
    UNSUPPORTED,
    /** Anything else: I/O errors, name resolution, ... */
    IO
  }

  private final transient Endpoint endpoint;
  private final Kind kind;
  private final String reason;

  /**
   * @param endpoint the endpoint concerned, named in the message; may be null when unknown
   * @param kind what went wrong
   * @param message what happened, without the endpoint (it is prefixed)
   * @param cause the underlying error, or null
   */
  public TransportException(Endpoint endpoint, Kind kind, String message, Throwable cause) {
    super((endpoint == null ? "" : endpoint + ": ") + message, cause);
    this.endpoint = endpoint;
    this.kind = kind;
    this.reason = message;
  }

  /** Same as the four-argument form, without a cause. */
  public TransportException(Endpoint endpoint, Kind kind, String message) {
    this(endpoint, kind, message, null);
  }

  /** The endpoint concerned, or null when unknown. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** What happened, without the endpoint: the message as given, for wrapping in another one. */
  public String reason() {
    return reason;
  }

  /** What kind of failure this was. */
  public Kind kind() {
    return kind;
  }
}
