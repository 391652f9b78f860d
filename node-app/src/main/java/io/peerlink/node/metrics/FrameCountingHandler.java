package io.peerlink.node.metrics;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.PeerCredentials;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps a listener's handler to count the frames it receives and the frames it sends (handed to
 * the transport to write): the transports count connections, not
 * frames, and node-app owns every handler, so counting here needs no change to any transport.
 */
final class FrameCountingHandler implements ConnectionHandler {

  private final ConnectionHandler inner;
  private final LongAdder received;
  private final LongAdder sent;

  FrameCountingHandler(ConnectionHandler inner, LongAdder received, LongAdder sent) {
    this.inner = inner;
    this.received = received;
    this.sent = sent;
  }

  @Override
  public FrameHandler onConnect(Connection connection) throws Exception {
    // The handler gets the counting connection at connect too: a handler may keep it and answer
    // from there (the Responder's in-order answers do) rather than from each frame's argument.
    Connection counted = new CountingConnection(connection);
    FrameHandler frames = inner.onConnect(counted);
    return new FrameHandler() {
      @Override
      public void onFrame(Connection c, byte[] frame) throws Exception {
        received.increment();
        frames.onFrame(c == connection ? counted : new CountingConnection(c), frame);
      }

      @Override
      public void onClose(Connection c, Throwable cause) {
        frames.onClose(c == connection ? counted : c, cause);
      }
    };
  }

  /** The connection, counting each frame it writes. */
  private final class CountingConnection implements Connection {
    private final Connection inner;

    CountingConnection(Connection inner) {
      this.inner = inner;
    }

    @Override
    public Endpoint remote() {
      return inner.remote();
    }

    @Override
    public CompletableFuture<Void> send(byte[] frame) {
      sent.increment();
      return inner.send(frame);
    }

    /** Passed on as a frame: the transport may send its file ranges from the kernel. */
    @Override
    public CompletableFuture<Void> send(OutgoingFrame frame) {
      sent.increment();
      return inner.send(frame);
    }

    @Override
    public Optional<PeerCredentials> peerCredentials() {
      return inner.peerCredentials();
    }

    @Override
    public boolean isOpen() {
      return inner.isOpen();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return inner.closeFuture();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
