package io.peerlink.it.bench;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.FrameHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a listener's handler and counts the connections open on it, so a benchmark knows when the
 * master really holds what the clients opened (accepted, not just queued in the backlog).
 */
final class ConnectionCounter implements ConnectionHandler {

  private final ConnectionHandler delegate;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionCounter(ConnectionHandler delegate) {
    this.delegate = delegate;
  }

  int open() {
    return open.get();
  }

  @Override
  public FrameHandler onConnect(Connection connection) throws Exception {
    FrameHandler inner = delegate.onConnect(connection);
    open.incrementAndGet();
    return new FrameHandler() {
      @Override
      public void onFrame(Connection c, byte[] frame) throws Exception {
        inner.onFrame(c, frame);
      }

      @Override
      public void onClose(Connection c, Throwable cause) {
        open.decrementAndGet();
        inner.onClose(c, cause);
      }
    };
  }

  /** Waits until exactly {@code expected} connections are open; polls every 10 ms. */
  void awaitOpen(int expected, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (open.get() != expected) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the master holds " + open.get() + " connections, expected " + expected
            + " within " + deadline.toSeconds() + " s");
      }
      Thread.sleep(10); // polling a counter the I/O threads move; the deadline bounds it
    }
  }
}
