package io.peerlink.it.bench;

import io.peerlink.discovery.core.server.Responder;
import io.peerlink.transport.api.ConnectionHandler;

/** The connection handlers benchmark masters use. */
final class StatusHandlers {

  private StatusHandlers() {
  }

  /** discovery-core's Responder over a master at {@link StatusPayload#EPOCH}, read-only as on a TCP peer port. */
  static ConnectionHandler responder() {
    return Responder.readOnly(new BenchMasterState(StatusPayload.EPOCH, StatusPayload.LAST_BLOCK));
  }

  /** A hung peer: accepts, reads, never answers. */
  static ConnectionHandler hung() {
    return connection -> (c, frame) -> {
    };
  }
}
