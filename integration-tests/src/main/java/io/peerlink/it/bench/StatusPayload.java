package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;

/**
 * The status exchange every variant carries: {@code Request{get_current_epoch_request{}}} and
 * {@code Response{get_current_epoch_response{epoch}}}, discovery-core's codec, PROTOCOL.md's bytes.
 * peerlink servers answer with discovery-core's {@code Responder}, the raw and gRPC servers with
 * {@link #answer} (decode, ask the state, encode: the same work); peerlink clients use
 * {@code MasterClient}, the raw and gRPC ones decode with {@link #epochOf}.
 */
public final class StatusPayload {

  /** The epoch the benchmark masters report; large enough to need a multi-byte varint. */
  public static final long EPOCH = 1_000_003L;

  /** The last block the benchmark masters report. */
  public static final long LAST_BLOCK = 7_654_321L;

  private static final byte[] REQUEST = new Request.GetCurrentEpoch().encode();

  private StatusPayload() {
  }

  /** The request's bytes (a fresh copy, as a caller encoding it each time would have). */
  public static byte[] request() {
    return REQUEST.clone();
  }

  /** The server side of raw and gRPC: decodes the request and encodes the answer. */
  public static byte[] answer(byte[] request) throws ProtocolException {
    Request r = Request.decode(request);
    if (!(r instanceof Request.GetCurrentEpoch)) {
      throw new ProtocolException("expected get_current_epoch_request, got " + r.fieldName());
    }
    return new Response.CurrentEpoch(EPOCH).encode();
  }

  /**
   * Decodes an answer and checks it.
   *
   * @return the epoch, always {@link #EPOCH}
   * @throws ProtocolException when the answer is not {@code get_current_epoch_response{EPOCH}}
   */
  public static long epochOf(byte[] response) throws ProtocolException {
    Response r = Response.decode(response);
    if (!(r instanceof Response.CurrentEpoch)) {
      throw new ProtocolException("expected get_current_epoch_response, got " + r.fieldName());
    }
    return check(((Response.CurrentEpoch) r).epoch());
  }

  /** Checks an epoch is {@link #EPOCH}. */
  public static long check(long epoch) throws ProtocolException {
    if (epoch != EPOCH) {
      throw new ProtocolException("expected epoch " + EPOCH + ", got " + Long.toUnsignedString(epoch));
    }
    return epoch;
  }
}
