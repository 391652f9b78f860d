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
  private static final class MemConnection implements Connection {
    final InMemoryTransport owner;
    final Endpoint remote;
    final FrameFormat format;
    final int maxFrameLength;
    volatile MemConnection peer;
    volatile FrameHandler handler;
    final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    final AtomicBoolean draining = new AtomicBoolean();
    final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    final AtomicBoolean closed = new AtomicBoolean();
    ByteBuffer pending = ByteBuffer.allocate(0); // only touched by the drain task
    private static final Object EOF = new Object();

    MemConnection(InMemoryTransport owner, Endpoint remote, FrameFormat format, int maxFrameLength) {
      this.owner = owner;
      this.remote = remote;
      this.format = format;
      this.maxFrameLength = maxFrameLength;
    }

    @Override
    public Endpoint remote() {
      return remote;
    }

    @Override
    public synchronized CompletableFuture<Void> send(byte[] frame) {
      if (closed.get()) {
        return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.CLOSED, "connection closed"));
      }
      if (frame.length > maxFrameLength) {
        return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.BAD_FRAME,
            "frame of " + frame.length + " bytes exceeds the maximum of " + maxFrameLength + " bytes"));
      }
      deliverToPeer(format.encode(frame));
      return CompletableFuture.completedFuture(null);
    }

    synchronized void deliverToPeer(byte[] bytes) {
      MemConnection p = peer;
      if (p != null && !closed.get()) {
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
        closeLocally(new TransportException(remote, TransportException.Kind.CLOSED, "transport closed"));
      }
    }

    private void drainNow() {
      try {
        Object item;
        while ((item = inbox.poll()) != null) {
          if (item == EOF) {
            closeLocally(pending.hasRemaining()
                ? new TransportException(remote, TransportException.Kind.CLOSED, "connection closed mid-frame",
                    new EOFException(pending.remaining() + " bytes of an unfinished frame"))
                : null);
            return;
          }
          if (closed.get()) {
            return;
          }
          byte[] bytes = (byte[]) item;
          ByteBuffer merged = ByteBuffer.allocate(pending.remaining() + bytes.length);
          merged.put(pending).put(bytes).flip();
          pending = merged;
          while (true) {
            long h;
            try {
              h = format.decodeHeader(pending, maxFrameLength);
            } catch (FrameFormatException e) {
              closeLocally(new TransportException(remote, TransportException.Kind.BAD_FRAME, e.getMessage(), e));
              return;
            }
            if (h == FrameFormat.NEED_MORE
                || pending.remaining() < FrameFormat.headerLengthOf(h) + FrameFormat.payloadLengthOf(h)) {
              break;
            }
            pending.position(pending.position() + FrameFormat.headerLengthOf(h));
            byte[] frame = new byte[FrameFormat.payloadLengthOf(h)];
            pending.get(frame);
            try {
              handler.onFrame(this, frame);
            } catch (Exception e) {
              closeLocally(e);
              return;
            }
          }
        }
      } finally {
        draining.set(false);
      }
      if (!inbox.isEmpty()) {
        drain();
      }
    }

    @Override
    public boolean isOpen() {
      return !closed.get();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return closeFuture;
    }

    @Override
    public void close() {
      closeLocally(null);
    }

    private void closeLocally(Throwable cause) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      MemConnection p = peer;
      if (p != null) {
        p.inbox.add(EOF); // after any bytes already sent, as a FIN would be
        p.drain();
      }
      owner.connections.remove(this);
      FrameHandler h = handler;
      try {
        if (h != null) {
          h.onClose(this, cause);
        }
      } finally {
        closeFuture.complete(null);
      }
    }
  }
}
