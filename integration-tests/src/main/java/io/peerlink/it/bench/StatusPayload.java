package io.peerlink.it.bench;

import java.io.IOException;
import java.util.Arrays;

/**
 * The status exchange every variant carries: {@code Request{get_current_epoch_request{}}} and
 * {@code Response{get_current_epoch_response{epoch}}}, the protobuf bytes of PROTOCOL.md. Raw and
 * gRPC servers answer with {@link #answer}; peerlink servers with discovery-core's Responder.
 * Every client checks every answer with {@link #check}, so each variant does the same work.
 */
public final class StatusPayload {

  /** The epoch the benchmark masters report; large enough to need a multi-byte varint. */
  public static final long EPOCH = 1_000_003L;

  private static final byte[] REQUEST = {0x32, 0x00};
  private static final byte[] RESPONSE = currentEpochResponse(EPOCH);

  private StatusPayload() {
  }

  /** The request's bytes (a fresh copy). */
  public static byte[] request() {
    return REQUEST.clone();
  }

  /** The server side of raw and gRPC: decodes the request and encodes the answer. */
  public static byte[] answer(byte[] request) throws IOException {
    // Request{get_current_epoch_request (6) = {}}: tag 0x32, length 0.
    if (request.length != 2 || request[0] != 0x32 || request[1] != 0) {
      throw new IOException("expected get_current_epoch_request (32 00), got " + hex(request));
    }
    return currentEpochResponse(EPOCH);
  }

  /** Checks an answer is {@code get_current_epoch_response{epoch = EPOCH}}. */
  public static void check(byte[] response) throws IOException {
    if (!Arrays.equals(response, RESPONSE)) {
      throw new IOException("expected get_current_epoch_response{epoch=" + EPOCH + "} (" + hex(RESPONSE)
          + "), got " + hex(response));
    }
  }

  private static byte[] currentEpochResponse(long epoch) {
    byte[] inner = new byte[11];
    int n = 0;
    inner[n++] = 0x08; // field 1, varint
    long v = epoch;
    while ((v & ~0x7FL) != 0) {
      inner[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    inner[n++] = (byte) v;
    byte[] out = new byte[2 + n];
    out[0] = 0x32; // Response field 6, length-delimited
    out[1] = (byte) n;
    System.arraycopy(inner, 0, out, 2, n);
    return out;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length && i < 32; i++) {
      sb.append(String.format("%02x", b[i] & 0xFF)).append(i + 1 < b.length ? " " : "");
    }
    return b.length > 32 ? sb + "... (" + b.length + " bytes)" : sb.toString();
  }
}
