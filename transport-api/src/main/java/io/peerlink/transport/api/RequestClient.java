package io.peerlink.transport.api;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * <p>Two modes, chosen when connecting:
 * <ul>
 *   <li>{@link #connect}: answers are read by the connection's I/O thread, and futures complete
 *       there: dependent actions should be short or run on an executor of their own.</li>
 *   <li>{@link #connectBlocking}: answers are read by the callers themselves, on their own threads,
 *       over a {@link BlockingConnection}: no I/O thread, no hand-off, the shortest round trip for
 *       a caller that waits for its answer. When several threads wait at once, one reads and
 *       completes the others' answers as they arrive, in order (leader/follower), so requests
 *       still pipeline. An answer is read only while some thread waits in {@link #await} or
 *       {@link #callBlocking}: a future from {@link #call} completes when it, or a later request's
 *       answer, is awaited.</li>
 * </ul>
 * {@link #callBlocking} and {@link #await} work in both modes.
 *
 * <p>In blocking mode, sends block while the socket's buffer is full, and nothing reads answers
 * until someone awaits one: a thread that sends many requests before awaiting any (a few hundred
 * small ones over a Unix socket) can stall until the timeout closes the client. Pipeline from
 * several threads, or await as you go. Interrupting the thread that is reading closes the
 * connection, as it does any blocking JDK channel: every waiting call then fails.
 */
public final class RequestClient implements AutoCloseable {

  private final Endpoint endpoint;
  // Non-null in blocking mode: the callers read the answers from it.
  private final BlockingConnection blocking;
  // Guarded by itself. Answers arrive in request order, so the head is always the next answered.
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  // Held while a request is enqueued and written, so the queue order is the wire order. Separate
  // from `pending`: a blocking write may wait for the peer to read, and the peer may wait for
  // its answers to be read, which takes `pending`.
  private final Object sendLock = new Object();
  private volatile Connection connection;
  private volatile Throwable closedBecause; // written under pending
  // The earliest deadline a timeout check is scheduled for, or Long.MAX_VALUE; guarded by pending.
  // One check per client covers every request in flight, so a call that is answered in time costs
  // no timer operation at all (a per-call orTimeout wakes the JDK's timer thread twice per call).
  private long checkScheduledAt = Long.MAX_VALUE;
  // Blocking mode: whether a caller is reading (guarded by readerLock), and how many wait.
  private final Object readerLock = new Object();
  private boolean reading;
  private volatile int waiting;

  /** A future {@link #call} returned, so that {@link #await} can tell its own from others. */
  private final class Answer extends CompletableFuture<byte[]> {
    RequestClient client() {
      return RequestClient.this;
    }
  }

  private record Pending(CompletableFuture<byte[]> answer, long deadline, Duration timeout) {
  }

  private RequestClient(Endpoint endpoint, BlockingConnection blocking) {
    this.endpoint = endpoint;
    this.blocking = blocking;
    this.connection = blocking;
  }

  /**
   * Connects a client whose answers are read by the connection's I/O thread.
   *
   * @return completes with the client, or exceptionally with a {@link TransportException}
   */
  public static CompletableFuture<RequestClient> connect(Transport transport, Endpoint endpoint, ConnectOptions options) {
    RequestClient client = new RequestClient(endpoint, null);
    return transport.connect(endpoint, options, client.new ResponseHandler()).thenApply(c -> {
      client.connection = c;
      return client;
    });
  }

  /**
   * Connects a client whose answers are read by its callers (see the class comment), over
   * {@link Transport#connectBlocking}; blocks until connected.
   *
   * @throws TransportException when the connection cannot be made, naming the endpoint
   */
  public static RequestClient connectBlocking(Transport transport, Endpoint endpoint, ConnectOptions options)
      throws TransportException {
    return new RequestClient(endpoint, transport.connectBlocking(endpoint, options));
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
    CompletableFuture<byte[]> answer = new Answer();
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

  /**
   * Sends a request and waits for its answer; in blocking mode, reads it on this thread.
   *
   * @throws TransportException as {@link #call}'s future fails; also when the thread is interrupted
   *     while it waits
   */
  public byte[] callBlocking(byte[] request, Duration timeout) throws TransportException {
    return await(call(request, timeout));
  }

  /**
   * Waits for an answer that {@link #call} promised; in blocking mode, reads answers on this
   * thread until it is in (completing the earlier requests' answers on the way).
   *
   * @param answer a future this client's {@link #call} returned
   * @return the answer's payload
   * @throws TransportException as the future failed; also when the thread is interrupted while it
   *     waits
   * @throws IllegalArgumentException when {@code answer} is pending and not this client's: nothing
   *     this client reads would complete it
   */
  public byte[] await(CompletableFuture<byte[]> answer) throws TransportException {
    if (!answer.isDone() && !(answer instanceof Answer own && own.client() == this)) {
      throw new IllegalArgumentException("await takes a future that this client's call returned; " + answer
          + " is not one, and waiting for it here could last forever");
    }
    try {
      if (blocking != null) {
        readUntil(answer);
      }
      return answer.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof TransportException ? (TransportException) cause : closedError(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(endpoint, TransportException.Kind.IO, "interrupted while waiting for an answer", e);
    }
  }

  /** Blocking mode: takes the reader's role when it is free and reads until the answer is in. */
  private void readUntil(CompletableFuture<byte[]> answer) throws InterruptedException {
    while (!answer.isDone()) {
      synchronized (readerLock) {
        // Count this thread as waiting before looking at the answer: whoever completes it reads
        // `waiting` after completing, so one of the two sees the other.
        waiting++;
        try {
          // Once closed, nothing is read: the answer is failed by whoever closed the client.
          while (!answer.isDone() && (reading || closedBecause != null)) {
            readerLock.wait();
          }
        } finally {
          waiting--;
        }
        if (answer.isDone()) {
          return;
        }
        reading = true;
      }
      try {
        while (!answer.isDone()) {
          byte[] frame;
          try {
            frame = blocking.receive();
          } catch (TransportException e) {
            fail(e);
            break;
          }
          deliver(frame);
        }
      } finally {
        synchronized (readerLock) {
          reading = false;
          if (waiting > 0) {
            readerLock.notifyAll();
          }
        }
      }
    }
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
    wakeWaiters();
  }

  /** Blocking mode: lets the threads waiting for answers look again. */
  private void wakeWaiters() {
    if (blocking != null && waiting > 0) {
      synchronized (readerLock) {
        readerLock.notifyAll();
      }
    }
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
      wakeWaiters();
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
    wakeWaiters();
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
