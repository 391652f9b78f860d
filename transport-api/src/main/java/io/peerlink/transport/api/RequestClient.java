package io.peerlink.transport.api;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
 * <p>Answers are read by the connection's I/O thread, and futures complete there: dependent actions
 * should be short or run on an executor of their own. This is the only connection model: discovery
 * asks many peers at once and catch-up pipelines its fetches, and a caller that waits for one
 * answer waits on the future (integration-tests/BENCHMARKS.md, "One connection model").
 */
public final class RequestClient implements AutoCloseable {

  private final Endpoint endpoint;
  // Guarded by itself. Answers arrive in request order, so the head is always the next answered.
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  // Held while a request is enqueued and written, so the queue order is the wire order. Separate
  // from `pending`, which the I/O thread takes to deliver answers: a send is never made while
  // holding the lock the answers need.
  private final Object sendLock = new Object();
  private volatile Connection connection;
  private volatile Throwable closedBecause; // written under pending
  // The earliest deadline a timeout check is scheduled for, or Long.MAX_VALUE; guarded by pending.
  // One check per client covers every request in flight, so a call that is answered in time costs
  // no timer operation at all (a per-call orTimeout wakes the JDK's timer thread twice per call).
  private long checkScheduledAt = Long.MAX_VALUE;

  private record Pending(CompletableFuture<byte[]> answer, long deadline, Duration timeout) {
  }

  private RequestClient(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Connects a client; its answers are read by the connection's I/O thread.
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
   * @return completes with the answer's payload, an array the caller owns (as a
   *     {@link FrameHandler} owns its frames), or exceptionally with a {@link TransportException}
   */
  public CompletableFuture<byte[]> call(byte[] request, Duration timeout) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Void> sent;
    boolean scheduleCheck;
    synchronized (sendLock) {
      synchronized (pending) {
        if (closedBecause != null) {
          return CompletableFuture.failedFuture(closedError(closedBecause));
        }
        pending.addLast(new Pending(answer, deadline, timeout));
        scheduleCheck = deadline < checkScheduledAt;
        if (scheduleCheck) {
          checkScheduledAt = deadline;
        }
      }
      sent = connection.send(request);
    }
    if (scheduleCheck) {
      scheduleTimeoutCheck(deadline);
    }
    if (sent.isCompletedExceptionally() || !sent.isDone()) {
      sent.whenComplete((ok, err) -> {
        if (err != null) {
          fail(err);
        }
      });
    }
    return answer;
  }

  /** The next answer in: it belongs to the oldest request. */
  private void deliver(byte[] frame) {
    Pending head;
    synchronized (pending) {
      head = pending.pollFirst();
    }
    if (head == null) {
      fail(new TransportException(endpoint, TransportException.Kind.BAD_FRAME,
          "received a frame of " + frame.length + " bytes with no request waiting for it"));
      return;
    }
    head.answer.complete(frame);
  }

  private void scheduleTimeoutCheck(long deadline) {
    long delay = Math.max(0, deadline - System.nanoTime());
    CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(() -> checkTimeouts(deadline));
  }

  private void checkTimeouts(long armedFor) {
    Pending expired = null;
    TransportException timedOut = null;
    List<Pending> behind = null;
    long next = Long.MAX_VALUE;
    synchronized (pending) {
      long now = System.nanoTime();
      for (Pending p : pending) {
        if (p.deadline - now <= 0) {
          expired = p;
          break;
        }
        next = Math.min(next, p.deadline);
      }
      if (expired != null) {
        // It fails with TIMED_OUT below, after the connection is closed. The client is marked
        // closed in the same step as it leaves the queue: its late answer, read in between, would
        // otherwise be taken for the next request's.
        pending.remove(expired);
        timedOut = new TransportException(endpoint, TransportException.Kind.TIMED_OUT,
            "no answer within " + expired.timeout.toMillis() + " ms");
        behind = stopLocked(timedOut);
      }
      if (expired != null || closedBecause != null) {
        checkScheduledAt = Long.MAX_VALUE;
        next = Long.MAX_VALUE;
      } else if (armedFor == checkScheduledAt || next < checkScheduledAt) {
        // This was the armed check (or an earlier one is needed): arm the next one.
        checkScheduledAt = next;
      } else {
        next = Long.MAX_VALUE; // a stale check: the armed one comes at or before `next`
      }
    }
    if (expired != null) {
      failStopped(behind, timedOut); // close first: whoever sees the timeout sees a closed client
      expired.answer.completeExceptionally(timedOut);
    } else if (next != Long.MAX_VALUE) {
      scheduleTimeoutCheck(next);
    }
  }

  /** Closes the connection; requests in flight fail with {@link TransportException.Kind#CLOSED}. */
  @Override
  public void close() {
    fail(new TransportException(endpoint, TransportException.Kind.CLOSED, "client closed"));
  }

  private void fail(Throwable cause) {
    List<Pending> failed;
    synchronized (pending) {
      failed = stopLocked(cause);
    }
    failStopped(failed, cause);
  }

  /** Marks the client closed (the first cause sticks) and takes the requests in flight; holds `pending`. */
  private List<Pending> stopLocked(Throwable cause) {
    if (closedBecause == null) {
      closedBecause = cause;
    }
    List<Pending> failed = new ArrayList<>(pending);
    pending.clear();
    return failed;
  }

  /** Closes the connection and fails the requests {@link #stopLocked} took. */
  private void failStopped(List<Pending> failed, Throwable cause) {
    Connection c = connection;
    if (c != null) {
      c.close();
    }
    TransportException error = closedError(cause);
    for (Pending p : failed) {
      p.answer.completeExceptionally(error);
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

  private final class ResponseHandler implements FrameHandler {
    @Override
    public void onFrame(Connection c, byte[] frame) {
      deliver(frame);
    }

    @Override
    public void onClose(Connection c, Throwable cause) {
      fail(cause != null ? cause
          : new TransportException(endpoint, TransportException.Kind.CLOSED, "connection closed by peer"));
    }
  }
}
