package io.peerlink.transport.api;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@link BlockingConnection} for a transport without a blocking path of its own: an ordinary
 * connection whose handler queues the frames that {@link #receive} takes. It keeps the transport's
 * I/O thread, and so its hand-off; what it gives is the one programming model for every transport.
 * The queue is unbounded: a request/response caller holds at most as many frames as it has
 * requests in flight.
 */
final class QueuedBlockingConnection implements BlockingConnection {

  private final LinkedBlockingQueue<Object> frames = new LinkedBlockingQueue<>();
  private final Endpoint remote;
  private volatile Connection connection;

  /** Marks the end of the frames, and says why they ended. */
  private record End(TransportException why) {
  }

  private QueuedBlockingConnection(Endpoint remote) {
    this.remote = remote;
  }

  static BlockingConnection connect(Transport transport, Endpoint endpoint, ConnectOptions options)
      throws TransportException {
    QueuedBlockingConnection queued = new QueuedBlockingConnection(endpoint);
    CompletableFuture<Connection> dial = transport.connect(endpoint, options, queued.new Enqueue());
    try {
      queued.connection = dial.get();
      return queued;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof TransportException ? (TransportException) cause
          : new TransportException(endpoint, TransportException.Kind.IO, String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      dial.thenAccept(Connection::close);
      throw new TransportException(endpoint, TransportException.Kind.IO, "interrupted while connecting", e);
    }
  }

  @Override
  public byte[] receive() throws TransportException {
    Object next;
    try {
      next = frames.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(remote, TransportException.Kind.IO, "interrupted while waiting for a frame", e);
    }
    if (next instanceof End) {
      frames.add(next); // every later receive fails the same way
      throw ((End) next).why;
    }
    return (byte[]) next;
  }

  @Override
  public Endpoint remote() {
    return remote;
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    return connection.send(frame);
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return connection.peerCredentials();
  }

  @Override
  public boolean isOpen() {
    return connection.isOpen();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return connection.closeFuture();
  }

  @Override
  public void close() {
    connection.close();
  }

  private final class Enqueue implements FrameHandler {
    @Override
    public void onFrame(Connection c, byte[] frame) {
      frames.add(frame);
    }

    @Override
    public void onClose(Connection c, Throwable cause) {
      TransportException why = cause instanceof TransportException ? (TransportException) cause
          : new TransportException(remote, TransportException.Kind.CLOSED,
              cause == null ? "connection closed" : "connection closed: " + cause.getMessage(), cause);
      frames.add(new End(why));
    }
  }
}
