package io.peerlink.transport.api;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Request/response over one connection, for protocols without request ids (the seed's): every
 * request is answered by one frame, in order. Requests may be pipelined; each has its own
 * timeout.
 *
 * <p>A request that times out closes the connection, because the late answer would otherwise be
 * taken for the next request's; the other requests in flight then fail with
 * {@link TransportException.Kind#CLOSED}. Every failure is a {@link TransportException} naming the
 * endpoint.
 *
 * <p>Futures complete on the connection's I/O thread: dependent actions should be short or run
 * on an executor of their own.
 */
public final class RequestClient implements AutoCloseable {

  private final Endpoint endpoint;
  private final ArrayDeque<CompletableFuture<byte[]>> pending = new ArrayDeque<>();
  private volatile Connection connection;
  private Throwable closedBecause; // guarded by pending

  private RequestClient(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Connects a client.
   *
   * @return completes with the client, or exceptionally with a {@link TransportException}
   */
  public static CompletableFuture<RequestClient> connect(Transport transport, Endpoint endpoint, ConnectOptions options) {
    RequestClient client = new RequestClient(endpoint);
    return transport.connect(endpoint, options, client.new ResponseHandler()).thenApply(c -> {
      client.connection = c;
      return client;
    });
  }

  /** The endpoint this client is connected to. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** Whether the connection is still open; a closed client must be replaced. */
  public boolean isOpen() {
    Connection c = connection;
    return c != null && c.isOpen();
  }

  /** How many requests are waiting for their answers. */
  public int inFlight() {
    synchronized (pending) {
      return pending.size();
    }
  }

  /**
   * Sends a request.
   *
   * @param request the request frame's payload
   * @param timeout how long to wait for the answer
   * @return completes with the answer's payload, or exceptionally with a {@link TransportException}
   */
  public CompletableFuture<byte[]> call(byte[] request, Duration timeout) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    CompletableFuture<Void> sent;
    // Enqueue and send under one lock, so the queue order is the wire order.
    synchronized (pending) {
      if (closedBecause != null) {
        return CompletableFuture.failedFuture(closedError(closedBecause));
      }
      pending.addLast(answer);
      sent = connection.send(request);
    }
    sent.whenComplete((ok, err) -> {
      if (err != null) {
        fail(err);
      }
    });
    answer.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return answer.handle((frame, err) -> {
      if (err == null) {
        return CompletableFuture.completedFuture(frame);
      }
      Throwable cause = unwrap(err);
      if (cause instanceof TimeoutException) {
        TransportException timedOut = new TransportException(endpoint, TransportException.Kind.TIMED_OUT,
            "no answer within " + timeout.toMillis() + " ms");
        fail(timedOut);
        return CompletableFuture.<byte[]>failedFuture(timedOut);
      }
      return CompletableFuture.<byte[]>failedFuture(cause instanceof TransportException ? cause : closedError(cause));
    }).thenCompose(f -> f);
  }

  /** Closes the connection; requests in flight fail with {@link TransportException.Kind#CLOSED}. */
  @Override
  public void close() {
    fail(new TransportException(endpoint, TransportException.Kind.CLOSED, "client closed"));
  }

  private void fail(Throwable cause) {
    ArrayDeque<CompletableFuture<byte[]>> failed;
    synchronized (pending) {
      if (closedBecause == null) {
        closedBecause = cause;
      }
      failed = new ArrayDeque<>(pending);
      pending.clear();
    }
    Connection c = connection;
    if (c != null) {
      c.close();
    }
    TransportException error = closedError(cause);
    for (CompletableFuture<byte[]> f : failed) {
      f.completeExceptionally(error);
    }
  }

  private TransportException closedError(Throwable cause) {
    if (cause instanceof TransportException) {
      TransportException te = (TransportException) cause;
      if (te.kind() != TransportException.Kind.TIMED_OUT) {
        return te;
      }
    }
    String why = cause == null ? "connection closed" : "connection closed: " + cause.getMessage();
    return new TransportException(endpoint, TransportException.Kind.CLOSED, why, cause);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private final class ResponseHandler implements FrameHandler {
    @Override
    public void onFrame(Connection c, byte[] frame) {
      CompletableFuture<byte[]> head;
      synchronized (pending) {
        head = pending.pollFirst();
      }
      if (head == null) {
        fail(new TransportException(endpoint, TransportException.Kind.BAD_FRAME,
            "received a frame of " + frame.length + " bytes with no request waiting for it"));
        return;
      }
      head.complete(frame);
    }

    @Override
    public void onClose(Connection c, Throwable cause) {
      fail(cause != null ? cause
          : new TransportException(endpoint, TransportException.Kind.CLOSED, "connection closed by peer"));
    }
  }
}
