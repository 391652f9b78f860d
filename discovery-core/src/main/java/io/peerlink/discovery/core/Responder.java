package io.peerlink.discovery.core;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.TransportException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Answers the query channel (4-byte big-endian framing, {@code FrameFormat.UINT32_BIG_ENDIAN})
 * from a {@link MasterState}: one {@link Response} per {@link Request}, in order, on the
 * connection's I/O thread. Give it to {@code Transport.listen} as the connection handler.
 *
 * <p>Every request gets an answer and the connection stays open: a call this master does not
 * serve, malformed request bytes (the frame boundary is intact, so the stream is still in step),
 * a mutating call in read-only mode and an exception from the state each get an {@code error}
 * response.
 *
 * <p>Each {@code error} answered is counted by message ({@link #errorCounts()}); the first of a
 * kind is logged at WARNING with the peer's address, repeats only in a summary line at most every
 * 10 s, so a flood of bad requests cannot flood the log.
 *
 * <p>A {@code get_blocks_range} answer holds at most {@link #MAX_BLOCKS_PER_RANGE} blocks and
 * about {@link #MAX_RANGE_RESPONSE_BYTES} bytes, whichever comes first, so it fits both the
 * client's 100 MiB limit and the listener's default 16 MiB frame limit; callers ask again from
 * the next block. The listener's {@code maxFrameLength} must therefore be at least
 * {@link #MAX_RANGE_RESPONSE_BYTES} plus a few KiB; {@code ListenOptions}' default is.
 */
public final class Responder implements ConnectionHandler {

  /** Most blocks in one {@code get_blocks_range} answer. */
  public static final int MAX_BLOCKS_PER_RANGE = 1024;

  /** Most bytes of blocks in one {@code get_blocks_range} answer (8 MiB), at least one block aside. */
  public static final int MAX_RANGE_RESPONSE_BYTES = 8 * 1024 * 1024;

  /** Over this, even a single block is refused: the client would drop the answer (100 MiB). */
  private static final int CLIENT_LIMIT = MasterClient.MAX_BLOCKS_RESPONSE_BYTES - 1024;

  private static final System.Logger LOG = System.getLogger(Responder.class.getName());

  private final MasterState state;
  private final boolean readOnly;
  private final ErrorTally errors;
  /** Error answers by the call answered; keys are call names and two fixed words, so bounded. */
  private final ConcurrentHashMap<String, LongAdder> errorsByCall = new ConcurrentHashMap<>();

  private Responder(MasterState state, boolean readOnly) {
    this(state, readOnly, System::nanoTime);
  }

  /** With a clock for the summary interval (tests). */
  Responder(MasterState state, boolean readOnly, LongSupplier nanoTime) {
    this.state = Objects.requireNonNull(state, "state");
    this.readOnly = readOnly;
    this.errors = new ErrorTally(LOG, nanoTime);
  }

  /** Serves every call: for the local Unix socket. */
  public static Responder fullAccess(MasterState state) {
    return new Responder(state, false);
  }

  /**
   * Serves the read-only calls and answers the mutating ones ({@code advance_epoch},
   * {@code sync_blocks}) with an {@code error}: for the TCP peer port.
   */
  public static Responder readOnly(MasterState state) {
    return new Responder(state, true);
  }

  /** Whether mutating calls are refused. */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * The {@code error} answers given since this responder was made, by message (sorted); at most
   * 64 distinct messages, the rest counted under {@code "(other messages)"}. A snapshot.
   */
  public Map<String, Long> errorCounts() {
    return errors.counts();
  }

  /**
   * The {@code error} answers given since this responder was made, by the call they answered:
   * {@code get_blocks_range}, {@code sync_blocks}, ... ({@code _request} left off), or
   * {@code "malformed"} for bytes that are no request and {@code "unsupported"} for a call this
   * master does not serve. Sorted by call; a snapshot. Its keys never come from a peer's bytes, so
   * there are at most as many as the protocol has calls, plus two.
   */
  public Map<String, Long> errorCountsByCall() {
    Map<String, Long> out = new TreeMap<>();
    errorsByCall.forEach((call, n) -> out.put(call, n.sum()));
    return out;
  }

  @Override
  public FrameHandler onConnect(Connection connection) {
    return this::onFrame;
  }

  private void onFrame(Connection connection, byte[] frame) {
    byte[] answer = answer(frame, connection.remote()).encode();
    connection.send(answer).whenComplete((ok, err) -> {
      if (err == null) {
        return;
      }
      if (err instanceof TransportException && ((TransportException) err).kind() == TransportException.Kind.BAD_FRAME
          && connection.isOpen()) {
        // A later answer must not overtake this one, so the connection cannot go on: close it.
        LOG.log(Level.WARNING, "answer of " + answer.length + " bytes to " + connection.remote()
            + " exceeds the connection's frame limit; closing the connection", err);
        connection.close();
      } else {
        LOG.log(Level.DEBUG, "could not answer " + connection.remote() + ": " + err.getMessage());
      }
    });
  }

  /** The answer to one request frame from {@code remote}; never throws; errors are tallied. */
  Response answer(byte[] frame, Object remote) {
    Request request;
    try {
      request = Request.decode(frame);
    } catch (ProtocolException e) {
      return tallied(error("malformed request: " + e.getMessage()), "malformed", remote, e);
    }
    String call = request instanceof Request.Unsupported ? "unsupported" : callName(request);
    try {
      return tallied(answer(request), call, remote, null);
    } catch (Exception e) {
      String text = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
      errors.record(callName(request) + " failed in the master state: " + text, remote, e);
      errorsByCall.computeIfAbsent(call, k -> new LongAdder()).increment();
      return error(text);
    }
  }

  /** As {@link #answer(byte[], Object)} from an unnamed peer (unit tests). */
  Response answer(byte[] frame) {
    return answer(frame, "(test)");
  }

  private Response tallied(Response response, String call, Object remote, Throwable cause) {
    if (response instanceof Response.Error) {
      errors.record(((Response.Error) response).message(), remote, cause);
      errorsByCall.computeIfAbsent(call, k -> new LongAdder()).increment();
    }
    return response;
  }

  private Response answer(Request request) throws Exception {
    if (request instanceof Request.Unsupported) {
      return error("unsupported request field " + request.fieldNumber() + "; this master serves "
          + "get_last_block_number_request (5), get_current_epoch_request (6), get_epoch_start_timestamp_request (7), "
          + "advance_epoch_request (8), get_blocks_range_request (21), sync_blocks_request (22)");
    }
    if (readOnly && (request instanceof Request.AdvanceEpoch || request instanceof Request.SyncBlocks)) {
      return error(callName(request) + " is a mutating call, served on the local socket only");
    }
    if (request instanceof Request.GetLastBlockNumber) {
      return new Response.LastBlockNumber(state.lastBlockNumber());
    }
    if (request instanceof Request.GetCurrentEpoch) {
      return new Response.CurrentEpoch(state.currentEpoch());
    }
    if (request instanceof Request.GetEpochStartTimestamp) {
      return new Response.EpochStartTimestamp(state.epochStartTimestampMs());
    }
    if (request instanceof Request.GetBlocksRange) {
      return blocksRange((Request.GetBlocksRange) request);
    }
    if (request instanceof Request.AdvanceEpoch) {
      Request.AdvanceEpoch a = (Request.AdvanceEpoch) request;
      return nonNull(state.advanceEpoch(a.newEpoch(), a.epochStartTimestampMs(), a.boundaryBlock()), request);
    }
    Request.SyncBlocks s = (Request.SyncBlocks) request;
    return nonNull(state.syncBlocks(s.blocks()), request);
  }

  private Response blocksRange(Request.GetBlocksRange r) throws Exception {
    if (Long.compareUnsigned(r.fromBlock(), r.toBlock()) > 0) {
      return new Response.BlocksRange(List.of(), 0, "from_block " + Long.toUnsignedString(r.fromBlock())
          + " is after to_block " + Long.toUnsignedString(r.toBlock()));
    }
    List<BlockData> all = nonNull(state.blocksRange(r.fromBlock(), r.toBlock()), r);
    List<BlockData> answer = new ArrayList<>(Math.min(all.size(), MAX_BLOCKS_PER_RANGE));
    long bytes = 0;
    for (BlockData b : all) {
      long size = b.encodedSize() + 6L; // tag + length prefix
      if (answer.size() == MAX_BLOCKS_PER_RANGE || !answer.isEmpty() && bytes + size > MAX_RANGE_RESPONSE_BYTES) {
        break;
      }
      if (answer.isEmpty() && size > CLIENT_LIMIT) {
        return new Response.BlocksRange(List.of(), 0, "block " + Long.toUnsignedString(b.blockNumber())
            + " is " + size + " bytes, over the " + MasterClient.MAX_BLOCKS_RESPONSE_BYTES + "-byte answer limit");
      }
      answer.add(b);
      bytes += size;
    }
    return Response.BlocksRange.of(answer);
  }

  private static <T> T nonNull(T value, Request request) {
    if (value == null) {
      throw new IllegalStateException("the master state returned nothing for " + callName(request));
    }
    return value;
  }

  private static Response.Error error(String text) {
    return new Response.Error(text);
  }

  /** {@code advance_epoch} for {@code advance_epoch_request}. */
  static String callName(Request request) {
    String name = request.fieldName();
    return name.endsWith("_request") ? name.substring(0, name.length() - "_request".length()) : name;
  }
}
