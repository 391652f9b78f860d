package io.peerlink.discovery.core.server;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.TransportException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one connection's answers in the order of its requests when some complete later than
 * others: an answer ready at once goes out at once unless an earlier one is still pending, else it
 * queues behind it. Nothing here waits on a thread.
 *
 * <p>Every answer is either handed to the connection, which closes its frame once sent, failed or
 * refused, or discarded (its frame closed): a range answer's frame holds its segment files open,
 * so one left behind would leak descriptors. An answer queued behind a pending one (a
 * {@code wait_for_sync_to_block} may wait an hour) is discarded as soon as the connection closes,
 * or when it completes after that.
 */
final class OrderedAnswers {

  private final Connection connection;
  private final Logger log;
  /** The last queued answer's send; null when nothing is pending. Guarded by this. */
  private CompletableFuture<Void> tail;
  /** Answers queued and not yet sent. Guarded by this. */
  private final Set<CompletableFuture<Answer>> queued = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Whether the connection closed: answers from now on are discarded. Guarded by this. */
  private boolean closed;

  OrderedAnswers(Connection connection, Logger log) {
    this.connection = connection;
    this.log = log;
    connection.closeFuture().whenComplete((v, e) -> discardQueued());
  }

  void submit(CompletableFuture<Answer> answer) {
    CompletableFuture<Void> next;
    synchronized (this) {
      if (closed) {
        answer.thenAccept(Answer::discard);
        return;
      }
      if (tail == null && answer.isDone() && !answer.isCompletedExceptionally()) {
        send(answer.join()); // the fast path: the status calls, the range answers
        return;
      }
      queued.add(answer);
      CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
      // handle, not thenAccept: a failed answer must not keep the ones after it from being sent or closed
      next = previous.thenCompose(v -> answer).handle((a, err) -> {
        sendQueued(answer, a, err);
        return null;
      });
      tail = next;
    }
    next.whenComplete((v, e) -> {
      synchronized (this) {
        if (tail == next) {
          tail = null;
        }
      }
    });
  }

  private void sendQueued(CompletableFuture<Answer> queuedAnswer, Answer answer, Throwable err) {
    synchronized (this) {
      queued.remove(queuedAnswer);
    }
    if (answer != null) {
      send(answer);
    } else {
      // Responder.respond never fails; if an answer ever did, the next one would be read as this
      // request's answer, so the connection cannot go on (what is still queued is discarded).
      log.log(Level.WARNING, "no answer to a request from " + connection.remote() + ", closing the connection: " + err);
      connection.close();
    }
  }

  /** The connection closed: answers still queued will never be sent, so their frames are closed. */
  private void discardQueued() {
    List<CompletableFuture<Answer>> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(queued);
      queued.clear();
    }
    for (CompletableFuture<Answer> answer : left) {
      answer.thenAccept(Answer::discard); // now, or once it completes
    }
  }

  private void send(Answer answer) {
    if (!connection.isOpen()) {
      answer.discard(); // not read into an array only to be refused
      return;
    }
    OutgoingFrame frame = answer.take();
    if (frame == null) {
      return; // discarded as the connection closed
    }
    int length = frame.length();
    CompletableFuture<Void> sent;
    try {
      sent = connection.send(frame);
    } catch (RuntimeException e) {
      frame.close(); // a connection that throws instead of failing the future: it may not have taken it
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ok, err) -> {
      if (err == null) {
        return;
      }
      if (err instanceof TransportException && ((TransportException) err).kind() == TransportException.Kind.BAD_FRAME
          && connection.isOpen()) {
        // A later answer must not overtake this one, so the connection cannot go on: close it.
        log.log(Level.WARNING, "answer of " + length + " bytes to " + connection.remote()
            + " exceeds the connection's frame limit; closing the connection", err);
        connection.close();
      } else {
        log.log(Level.DEBUG, "could not answer " + connection.remote() + ": " + err.getMessage());
      }
    });
  }
}
