package io.peerlink.transport.api.testing;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.FrameDecoder;
import io.peerlink.transport.api.support.ListenerCounters;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@code mem} transport; see {@link InMemoryTransportProvider}. */
public final class InMemoryTransport implements Transport {

  private static final ConcurrentHashMap<String, MemListener> LISTENERS = new ConcurrentHashMap<>();
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "peerlink-mem-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });
  private final Set<MemConnection> connections = ConcurrentHashMap.newKeySet();
  private final Set<MemListener> listeners = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * Writes bytes that need not be a whole frame (a header alone, half a payload, garbage) on a
   * connection made by this transport class: how tests play a peer that breaks the framing.
   */
  public static void sendRaw(Connection connection, byte[] bytes) {
    ((MemConnection) connection).deliverToPeer(bytes.clone());
  }

  @Override
  public CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler) {
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException(endpoint, TransportException.Kind.CLOSED, "transport closed"));
    }
    MemListener listener = LISTENERS.get(endpoint.address());
    if (listener == null || !endpoint.scheme().equals(InMemoryTransportProvider.SCHEME)) {
      return CompletableFuture.failedFuture(new TransportException(endpoint, TransportException.Kind.REFUSED,
          "connection refused: nothing listens there"));
    }
    MemConnection client = new MemConnection(this, endpoint, options.format(), options.maxFrameLength());
    MemConnection server = new MemConnection(listener.owner, endpoint, listener.options.format(),
        listener.options.maxFrameLength());
    client.peer = server;
    server.peer = client;
    client.handler = handler;
    CompletableFuture<Connection> result = new CompletableFuture<>();
    try {
      listener.owner.pool.execute(() -> {
        try {
          server.handler = listener.handler.onConnect(server);
          listener.accepted.add(server);
          listener.owner.connections.add(server);
          connections.add(client);
          result.complete(client);
          server.drain();
        } catch (Exception e) {
          server.close();
          client.close();
          result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.CLOSED,
              "connection refused by the listener's handler: " + e, e));
        }
      });
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new TransportException(endpoint, TransportException.Kind.REFUSED,
          "connection refused: listener closing"));
    }
    return result;
  }

  @Override
  public Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler) throws TransportException {
    if (closed) {
      throw new TransportException(endpoint, TransportException.Kind.BIND_FAILED, "transport closed");
    }
    MemListener listener = new MemListener(this, endpoint, options, handler);
    if (LISTENERS.putIfAbsent(endpoint.address(), listener) != null) {
      throw new TransportException(endpoint, TransportException.Kind.BIND_FAILED, "address already in use");
    }
    listeners.add(listener);
    return listener;
  }

  @Override
  public void close() {
    closed = true;
    for (MemListener l : listeners) {
      l.close();
    }
    for (MemConnection c : connections) {
      c.close();
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static final class MemListener implements Listener {
    final InMemoryTransport owner;
    final Endpoint endpoint;
    final ListenOptions options;
    final ConnectionHandler handler;
    final Set<MemConnection> accepted = ConcurrentHashMap.newKeySet();
    final AtomicBoolean closed = new AtomicBoolean();

    MemListener(InMemoryTransport owner, Endpoint endpoint, ListenOptions options, ConnectionHandler handler) {
      this.owner = owner;
      this.endpoint = endpoint;
      this.options = options;
      this.handler = handler;
    }

    @Override
    public Endpoint endpoint() {
      return endpoint;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        LISTENERS.remove(endpoint.address(), this);
        owner.listeners.remove(this);
        for (MemConnection c : accepted) {
          c.close();
        }
      }
    }
  }

  /**
   * One side of a connection. Bytes sent arrive in the peer's inbox and are decoded there, in
   * order, by a serial task on the peer's transport pool.
   */
  private static final class MemConnection extends AbstractConnection {
    final InMemoryTransport owner;
    final FrameFormat format;
    volatile MemConnection peer;
    volatile FrameHandler handler;
    final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    final AtomicBoolean draining = new AtomicBoolean();
    final FrameDecoder decoder; // only touched by the drain task
    ByteBuffer pending = ByteBuffer.allocate(0); // bytes of an unfinished header; only the drain task
    private static final Object EOF = new Object();

    MemConnection(InMemoryTransport owner, Endpoint remote, FrameFormat format, int maxFrameLength) {
      super(remote, maxFrameLength, ListenerCounters.none(), null);
      this.owner = owner;
      this.format = format;
      this.decoder = new FrameDecoder(format, maxFrameLength);
    }

    @Override
    public synchronized CompletableFuture<Void> send(byte[] frame) {
      Throwable refused = sendRefusal(frame);
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      deliverToPeer(format.encode(frame));
      return CompletableFuture.completedFuture(null);
    }

    synchronized void deliverToPeer(byte[] bytes) {
      MemConnection p = peer;
      if (p != null && !isClosed()) {
        p.inbox.add(bytes);
        p.drain();
      }
    }

    void drain() {
      if (handler == null || !draining.compareAndSet(false, true)) {
        return;
      }
      try {
        owner.pool.execute(this::drainNow);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        closeWith(new TransportException(remote(), TransportException.Kind.CLOSED, "transport closed"));
      }
    }

    private void drainNow() {
      try {
        Object item;
        while ((item = inbox.poll()) != null) {
          if (item == EOF) {
            closeWith(pending.hasRemaining() || decoder.holdsPartialFrame()
                ? new TransportException(remote(), TransportException.Kind.CLOSED, "connection closed mid-frame",
                    new EOFException("the stream ended inside a frame"))
                : null);
            return;
          }
          if (isClosed() || !decode((byte[]) item)) {
            return;
          }
        }
      } finally {
        draining.set(false);
      }
      if (!inbox.isEmpty()) {
        drain();
      }
    }

    /** Hands on the whole frames; false when the connection closed. */
    private boolean decode(byte[] bytes) {
      ByteBuffer in = ByteBuffer.allocate(pending.remaining() + bytes.length);
      in.put(pending).put(bytes).flip();
      try {
        byte[] frame;
        while ((frame = decoder.next(in)) != null) {
          try {
            handler.onFrame(this, frame);
          } catch (Exception e) {
            closeWith(e);
            return false;
          }
        }
      } catch (FrameFormatException e) {
        badFrame(e);
        return false;
      }
      pending = in.slice();
      return true;
    }

    @Override
    protected void closeIo() {
      MemConnection p = peer;
      if (p != null) {
        p.inbox.add(EOF); // after any bytes already sent, as a FIN would be
        p.drain();
      }
      owner.connections.remove(this);
      closed(handler);
    }
  }
}
