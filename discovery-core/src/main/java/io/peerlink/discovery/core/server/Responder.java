package io.peerlink.discovery.core.server;

import io.peerlink.discovery.core.protocol.AnswerLimits;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.FrameHandler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Answers the query channel (4-byte big-endian framing, {@code FrameFormat.UINT32_BIG_ENDIAN})
 * from a {@link MasterState}: one {@link Response} per {@link Request}, in order. Give it to
 * {@code Transport.listen} as the connection handler.
 *
 * <p>Every request gets an answer and the connection stays open: a call this master does not
 * serve, malformed request bytes (the frame boundary is intact, so the stream is still in step),
 * a mutating call in read-only mode ({@code advance_epoch}, {@code set_consensus_start_block},
 * {@code set_sync_start_block}, {@code sync_blocks}, {@code force_commit}) and an exception from
 * the state each get an {@code error} response.
 *
 * <p>Answers are computed on the connection's I/O thread, except {@code wait_for_sync_to_block}
 * (12): it completes later, from the state's future or its timeout, and never holds the I/O
 * thread. Answers after a pending one wait for it, so a connection's answers keep its requests'
 * order.
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
  public static final int MAX_BLOCKS_PER_RANGE = AnswerLimits.MAX_BLOCKS_PER_RANGE;

  /** Most bytes of blocks in one {@code get_blocks_range} answer (8 MiB), at least one block aside. */
  public static final int MAX_RANGE_RESPONSE_BYTES = AnswerLimits.MAX_RANGE_RESPONSE_BYTES;

  /** {@code wait_for_sync_to_block} with {@code timeout_seconds} 0 waits this long unless set otherwise. */
  public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(60);

  /** The longest a {@code wait_for_sync_to_block} waits, whatever it asks: an hour. */
  public static final Duration MAX_WAIT_TIMEOUT = Duration.ofHours(1);


  private static final System.Logger LOG = System.getLogger(Responder.class.getName());

  private final MasterState state;
  private final boolean readOnly;
  private final Duration defaultWait;
  private final ErrorTally errors;
  /** Error answers by the call answered; keys are call names and two fixed words, so bounded. */
  private final ConcurrentHashMap<String, LongAdder> errorsByCall = new ConcurrentHashMap<>();

  /** With a clock for the summary interval (tests). */
  Responder(MasterState state, boolean readOnly, Duration defaultWait, LongSupplier nanoTime) {
    this.state = Objects.requireNonNull(state, "state");
    this.readOnly = readOnly;
    this.defaultWait = Objects.requireNonNull(defaultWait, "defaultWait");
    if (defaultWait.isNegative() || defaultWait.isZero()) {
      throw new IllegalArgumentException("defaultWait must be positive, got " + defaultWait);
    }
    this.errors = new ErrorTally(LOG, nanoTime);
  }

  /** Serves every call: for the local Unix socket. */
  public static Responder fullAccess(MasterState state) {
    return fullAccess(state, DEFAULT_WAIT_TIMEOUT);
  }

  /**
   * Serves every call: for the local Unix socket.
   *
   * @param defaultWait how long {@code wait_for_sync_to_block} waits when it asks for 0 s
   */
  public static Responder fullAccess(MasterState state, Duration defaultWait) {
    return new Responder(state, false, defaultWait, System::nanoTime);
  }

  /** Serves the read-only calls and answers the mutating ones with an {@code error}: for the TCP peer port. */
  public static Responder readOnly(MasterState state) {
    return readOnly(state, DEFAULT_WAIT_TIMEOUT);
  }

  /**
   * Serves the read-only calls and answers the mutating ones with an {@code error}: for the TCP
   * peer port.
   *
   * @param defaultWait how long {@code wait_for_sync_to_block} waits when it asks for 0 s
   */
  public static Responder readOnly(MasterState state, Duration defaultWait) {
    return new Responder(state, true, defaultWait, System::nanoTime);
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
    OrderedAnswers answers = new OrderedAnswers(connection, LOG);
    return (c, frame) -> answers.submit(respond(frame, c.remote()));
  }

  /**
   * The answer to one request frame from {@code remote}: complete at once for every call but
   * {@code wait_for_sync_to_block}. Never fails; errors are answered and tallied.
   */
  CompletableFuture<Answer> respond(byte[] frame, Object remote) {
    Request request;
    try {
      request = Request.decode(frame);
    } catch (ProtocolException e) {
      return done(tallied(error("malformed request: " + e.getMessage()), "malformed", remote, e));
    }
    String call = request instanceof Request.Unsupported ? "unsupported" : request.callName();
    if (readOnly && Calls.isMutating(request)) {
      return done(tallied(error(call + " is a mutating call, served on the local socket only"), call, remote, null));
    }
    if (request instanceof Request.WaitForSyncToBlock) {
      return waitFor((Request.WaitForSyncToBlock) request, call, remote);
    }
    if (request instanceof Request.SyncBlocks && !((Request.SyncBlocks) request).blocks().isEmpty()) {
      return syncLater((Request.SyncBlocks) request, call, remote);
    }
    try {
      return CompletableFuture.completedFuture(tallied(Calls.answer(state, request), call, remote));
    } catch (Exception e) {
      return done(failed(request, call, e, remote));
    }
  }

  private static CompletableFuture<Answer> done(Response response) {
    return CompletableFuture.completedFuture(Answer.of(response));
  }

  /** As {@link #respond}, waiting for the answer (unit tests). */
  Response answer(byte[] frame, Object remote) {
    return respond(frame, remote).join().response();
  }

  /** As {@link #answer(byte[], Object)} from an unnamed peer (unit tests). */
  Response answer(byte[] frame) {
    return answer(frame, "(test)");
  }

  private CompletableFuture<Answer> waitFor(Request.WaitForSyncToBlock w, String call, Object remote) {
    long target = w.targetBlock();
    long seconds = w.timeoutSeconds();
    Duration timeout = seconds == 0 ? defaultWait
        : seconds < 0 || seconds > MAX_WAIT_TIMEOUT.getSeconds() ? MAX_WAIT_TIMEOUT : Duration.ofSeconds(seconds);
    long now = state.lastBlockNumber();
    if (Long.compareUnsigned(now, target) >= 0) {
      return done(reached(target, now));
    }
    CompletableFuture<Long> held;
    try {
      held = state.blockHeld(target);
    } catch (RuntimeException e) {
      return done(failed(w, call, e, remote));
    }
    held.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return held.<Response>handle((last, err) -> {
      if (err == null) {
        return reached(target, last);
      }
      Throwable cause = unwrap(err);
      if (cause instanceof TimeoutException) {
        long current = state.lastBlockNumber();
        return new Response.WaitForSyncToBlockResult(false, current, "block " + Long.toUnsignedString(target)
            + " not reached within " + timeout.getSeconds() + " s; this master holds blocks up to "
            + Long.toUnsignedString(current));
      }
      return failed(w, call, cause, remote);
    }).thenApply(Answer::of);
  }

  /** Request 10 from the state's future: the reader goes on to the next request meanwhile. */
  private CompletableFuture<Answer> syncLater(Request.SyncBlocks sync, String call, Object remote) {
    CompletableFuture<? extends Response> later;
    try {
      later = state.syncBlocksLater(sync.blocks());
    } catch (RuntimeException e) {
      return done(failed(sync, call, e, remote));
    }
    if (later == null) {
      return done(failed(sync, call, new IllegalStateException("the master state answered sync_blocks with nothing"),
          remote));
    }
    return later.<Response>handle((answer, err) -> {
      if (err == null && answer != null) {
        return tallied(answer, call, remote, null);
      }
      return failed(sync, call, err != null ? unwrap(err)
          : new IllegalStateException("the master state answered sync_blocks with null"), remote);
    }).thenApply(Answer::of);
  }

  /** What a future failed with, without the CompletionException a dependent stage wraps it in. */
  private static Throwable unwrap(Throwable err) {
    return err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
  }

  private static Response reached(long target, long last) {
    return new Response.WaitForSyncToBlockResult(true, last, "block " + Long.toUnsignedString(target)
        + " reached; last block " + Long.toUnsignedString(last));
  }

  private Response failed(Request request, String call, Throwable e, Object remote) {
    String text = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    errors.record(request.callName() + " failed in the master state: " + text, remote, e);
    errorsByCall.computeIfAbsent(call, k -> new LongAdder()).increment();
    return error(text);
  }

  private Answer tallied(Answer answer, String call, Object remote) {
    Response.Error error = answer.error();
    if (error != null) {
      tallied(error, call, remote, null);
    }
    return answer;
  }

  private Response tallied(Response response, String call, Object remote, Throwable cause) {
    if (response instanceof Response.Error) {
      errors.record(((Response.Error) response).message(), remote, cause);
      errorsByCall.computeIfAbsent(call, k -> new LongAdder()).increment();
    }
    return response;
  }

  private static Response.Error error(String text) {
    return new Response.Error(text);
  }

}
