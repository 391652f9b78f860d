package io.peerlink.discovery.core.server;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response;

/**
 * One answer on its way to the connection: a {@link Response}, or the bytes of one already
 * encoded. A {@code get_blocks_range} answer is written straight from the blocks' encoded bytes
 * ({@link MasterState#encodedBlocks}), never built as a {@code Response}.
 */
final class Answer {

  private final Response response; // null when encoded
  private final byte[] encoded; // null when a response

  private Answer(Response response, byte[] encoded) {
    this.response = response;
    this.encoded = encoded;
  }

  static Answer of(Response response) {
    return new Answer(response, null);
  }

  /** Bytes of a successful answer, already encoded: an error is always a {@link Response}, to be tallied. */
  static Answer encoded(byte[] bytes) {
    return new Answer(null, bytes);
  }

  /** The error this answer carries, else null. */
  Response.Error error() {
    return response instanceof Response.Error ? (Response.Error) response : null;
  }

  /** The bytes to send. */
  byte[] bytes() {
    return encoded != null ? encoded : response.encode();
  }

  /**
   * The answer as a {@link Response}, decoding encoded bytes (tests). The decoded blocks view the
   * encoded array ({@link Response#decode} takes it over): nothing writes it, it is only sent.
   */
  Response response() {
    if (response != null) {
      return response;
    }
    try {
      return Response.decode(encoded);
    } catch (ProtocolException e) {
      throw new IllegalStateException("an encoded answer does not decode: " + e.getMessage(), e);
    }
  }
}
