package io.peerlink.discovery.core.server;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.TransportException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one connection's answers in the order of its requests when some complete later than
 * others: an answer ready at once goes out at once unless an earlier one is still pending, else it
 * queues behind it. Nothing here waits on a thread.
 */
final class OrderedAnswers {

  private final Connection connection;
  private final Logger log;
  /** The last queued answer's send; null when nothing is pending. Guarded by this. */
  private CompletableFuture<Void> tail;

  OrderedAnswers(Connection connection, Logger log) {
    this.connection = connection;
    this.log = log;
  }

  void submit(CompletableFuture<Answer> answer) {
    CompletableFuture<Void> next;
    synchronized (this) {
      if (tail == null && answer.isDone()) {
        send(answer.join()); // the fast path: the status calls
        return;
      }
      CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
      next = previous.thenCompose(v -> answer).thenAccept(this::send);
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

  private void send(Answer answer) {
    byte[] bytes = answer.bytes();
    connection.send(bytes).whenComplete((ok, err) -> {
      if (err == null) {
        return;
      }
      if (err instanceof TransportException && ((TransportException) err).kind() == TransportException.Kind.BAD_FRAME
          && connection.isOpen()) {
        // A later answer must not overtake this one, so the connection cannot go on: close it.
        log.log(Level.WARNING, "answer of " + bytes.length + " bytes to " + connection.remote()
            + " exceeds the connection's frame limit; closing the connection", err);
        connection.close();
      } else {
        log.log(Level.DEBUG, "could not answer " + connection.remote() + ": " + err.getMessage());
      }
    });
  }
}
