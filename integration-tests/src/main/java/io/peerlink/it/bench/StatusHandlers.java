package io.peerlink.it.bench;

import io.peerlink.transport.api.ConnectionHandler;

/** The connection handlers benchmark masters use. */
final class StatusHandlers {

  private StatusHandlers() {
  }

  /**
   * Answers the status request. Until discovery-core's Responder is available this answers with
   * {@link StatusPayload#answer}, the same bytes.
   */
  static ConnectionHandler responder() {
    return connection -> (c, frame) -> c.send(StatusPayload.answer(frame));
  }

  /** A hung peer: accepts, reads, never answers. */
  static ConnectionHandler hung() {
    return connection -> (c, frame) -> {
    };
  }
}
