package io.peerlink.transport.unix;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The Unix transport: junixsocket's blocking sockets, one reader thread per connection, one
 * accept thread per listener, and a small pool that runs connects so that {@link #connect} never
 * blocks. Every thread it starts is a named daemon thread that {@link #close()} ends and joins.
 *
 * <p>Why blocking and not Netty over junixsocket's selector: a local socket carries few
 * connections, a blocked read is the shortest path from the kernel to the handler, and the
 * Netty + junixsocket combination showed two traps (DNS resolution of socket addresses, and about
 * one connect in six failing with a bare {@code StacklessClosedChannelException}).
 */
final class UnixTransport implements Transport {

  private static final System.Logger LOG = System.getLogger(UnixTransport.class.getName());

  /** How long {@link #close()} waits for its threads; only a handler that never returns hits it. */
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

  /** Idle connect threads end after this. */
  private static final long CONNECT_THREAD_KEEP_ALIVE_SECONDS = 30;

  private final Object lock = new Object();
  private boolean closed; // guarded by lock
  private final Set<UnixListener> listeners = new HashSet<>(); // guarded by lock
  private final Map<UnixConnection, Thread> connections = new HashMap<>(); // guarded by lock
  private final Set<AFUNIXSocket> connecting = new HashSet<>(); // guarded by lock

  /** Every thread this transport started that has not finished yet. */
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectThreadIds = new AtomicInteger();
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final ThreadPoolExecutor connectors;
  private final WriteFlusher flusher = new WriteFlusher(this);

  UnixTransport() {
    connectors = new ThreadPoolExecutor(0, Integer.MAX_VALUE, CONNECT_THREAD_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> newThread("peerlink-unix-connect-" + connectThreadIds.incrementAndGet(), r));
  }

  @Override
  public CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler) {
    if (endpoint == null || options == null || handler == null) {
      return CompletableFuture.failedFuture(new NullPointerException(
          endpoint == null ? "endpoint" : options == null ? "options" : "handler"));
    }
    if (!endpoint.isUnix()) {
      return CompletableFuture.failedFuture(notUnix(endpoint));
    }
    CompletableFuture<Connection> result = new CompletableFuture<>();
    try {
      connectors.execute(() -> connectNow(endpoint, options, handler, result));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new TransportException(endpoint, Kind.CLOSED, "the unix transport is closed"));
    }
    return result;
  }

  private void connectNow(Endpoint endpoint, ConnectOptions options, FrameHandler handler,
      CompletableFuture<Connection> result) {
    AFUNIXSocket socket = null;
    try {
      socket = dial(endpoint, options);
      UnixConnection connection = UnixConnection.dialled(flusher, socket, endpoint, options.format(),
          options.maxFrameLength(), handler);
      if (!adopt(connection)) {
        connection.discard();
        throw new TransportException(endpoint, Kind.CLOSED, "the unix transport was closed while connecting");
      }
      result.complete(connection);
    } catch (TransportException e) {
      closeQuietly(socket);
      result.completeExceptionally(e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      result.completeExceptionally(connectFailure(endpoint, e, connectTimeoutMillis(options)));
    }
  }

  /** A connected socket, or the failure named. */
  private AFUNIXSocket dial(Endpoint endpoint, ConnectOptions options) throws TransportException {
    long timeoutMillis = connectTimeoutMillis(options);
    AFUNIXSocket socket = null;
    try {
      socket = AFUNIXSocket.newInstance();
      synchronized (lock) {
        if (closed) {
          throw new TransportException(endpoint, Kind.CLOSED, "the unix transport is closed");
        }
        connecting.add(socket); // close() closes it, which ends the connect
      }
      try {
        // junixsocket's connect timeout does not cover a listener whose backlog is full: the
        // kernel then blocks the connect for SO_SNDTIMEO, which setSoTimeout sets.
        socket.setSoTimeout((int) timeoutMillis);
        socket.connect(AFUNIXSocketAddress.of(endpoint.path()), (int) timeoutMillis);
        socket.setSoTimeout(0);
      } finally {
        synchronized (lock) {
          connecting.remove(socket);
        }
      }
      return socket;
    } catch (TransportException e) {
      closeQuietly(socket);
      throw e;
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      throw connectFailure(endpoint, e, timeoutMillis);
    }
  }

  private static long connectTimeoutMillis(ConnectOptions options) {
    return Math.max(1, Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
  }

  /** Says why a connect failed, as a {@link TransportException} of the right kind. */
  private TransportException connectFailure(Endpoint endpoint, Exception e, long timeoutMillis) {
    synchronized (lock) {
      if (closed) {
        return new TransportException(endpoint, Kind.CLOSED, "the unix transport was closed while connecting", e);
      }
    }
    String msg = String.valueOf(e.getMessage());
    String lower = msg.toLowerCase(Locale.ROOT);
    if (e instanceof SocketTimeoutException || lower.contains("timed out")) {
      return new TransportException(endpoint, Kind.TIMED_OUT, "no connection within " + timeoutMillis + " ms", e);
    }
    Path path = endpoint.path();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException nsf) {
      return new TransportException(endpoint, Kind.REFUSED, "no socket file at " + path + ": nothing listens there", e);
    } catch (IOException ioe) {
      attrs = null;
    }
    if (lower.contains("refused")) {
      if (attrs != null && attrs.isRegularFile()) {
        return new TransportException(endpoint, Kind.REFUSED, path + " is a regular file, not a socket", e);
      }
      return new TransportException(endpoint, Kind.REFUSED,
          "connection refused: nothing listens on the socket file (a stale file of a stopped process?)", e);
    }
    if (lower.contains("no such file")) {
      return new TransportException(endpoint, Kind.REFUSED, "no socket file at " + path + ": nothing listens there", e);
    }
    return new TransportException(endpoint, Kind.IO, "cannot connect: " + msg, e);
  }

  @Override
  public Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler) throws TransportException {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(handler, "handler");
    if (!endpoint.isUnix()) {
      throw notUnix(endpoint);
    }
    synchronized (lock) {
      if (closed) {
        throw new TransportException(endpoint, Kind.CLOSED, "the unix transport is closed");
      }
    }
    BoundSocketFile socketFile = BoundSocketFile.bind(endpoint, options.backlog(), options.socketFileMode());
    UnixListener listener = new UnixListener(this, endpoint, socketFile, options, handler);
    synchronized (lock) {
      if (!closed) {
        listeners.add(listener);
        listener.start();
        return listener;
      }
    }
    socketFile.close();
    throw new TransportException(endpoint, Kind.CLOSED, "the unix transport was closed while binding");
  }

  /** Closes every listener and connection, and waits for every thread this transport started. */
  @Override
  public void close() {
    List<UnixListener> openListeners;
    List<AFUNIXSocket> pendingConnects;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      openListeners = new ArrayList<>(listeners);
      pendingConnects = new ArrayList<>(connecting);
    }
    connectors.shutdownNow();
    pendingConnects.forEach(UnixTransport::closeQuietly);
    openListeners.forEach(UnixListener::close);
    List<UnixConnection> open;
    synchronized (lock) {
      open = new ArrayList<>(connections.keySet());
    }
    open.forEach(UnixConnection::close);
    flusher.close();
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    for (Thread t : new ArrayList<>(threads)) {
      join(t, deadline);
    }
  }

  // ---- for listeners and connections ----

  WriteFlusher flusher() {
    return flusher;
  }

  /** A started daemon thread that this transport tracks until it ends. */
  Thread startThread(String name, Runnable body) {
    Thread t = newThread(name, body);
    t.start();
    return t;
  }

  private Thread newThread(String name, Runnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } finally {
        threads.remove(Thread.currentThread());
      }
    }, name);
    t.setDaemon(true);
    threads.add(t);
    return t;
  }

  /**
   * Registers a new connection and starts its reader thread.
   *
   * @return false when the transport or the connection's listener has closed: the caller closes it
   */
  boolean adopt(UnixConnection connection) {
    synchronized (lock) {
      UnixListener listener = connection.listener();
      if (closed || listener != null && listener.isClosed()) {
        return false;
      }
      Thread t = startThread(connection.threadName(connectionIds.incrementAndGet()), () -> {
        try {
          connection.readLoop();
        } finally {
          forget(connection);
        }
      });
      connections.put(connection, t);
      return true;
    }
  }

  private void forget(UnixConnection connection) {
    synchronized (lock) {
      connections.remove(connection);
    }
  }

  /** Marks a listener closed; false when it already was. */
  boolean closeListener(UnixListener listener) {
    synchronized (lock) {
      if (listener.isClosed()) {
        return false;
      }
      listener.markClosed();
      listeners.remove(listener);
      return true;
    }
  }

  /** Closes the connections a listener accepted and waits for their threads. */
  void closeAndJoinConnectionsOf(UnixListener listener) {
    Map<UnixConnection, Thread> accepted = new HashMap<>();
    synchronized (lock) {
      connections.forEach((c, t) -> {
        if (c.listener() == listener) {
          accepted.put(c, t);
        }
      });
    }
    accepted.keySet().forEach(UnixConnection::close);
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    accepted.values().forEach(t -> join(t, deadline));
  }

  void join(Thread t) {
    join(t, System.nanoTime() + JOIN_TIMEOUT.toNanos());
  }

  private static void join(Thread t, long deadlineNanos) {
    if (t == Thread.currentThread()) {
      return; // closed from its own handler: it ends when the handler returns
    }
    try {
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.log(Level.WARNING, "thread " + t.getName() + " did not end within " + JOIN_TIMEOUT.toSeconds()
          + " s of closing; a handler is probably blocked");
    }
  }

  private static TransportException notUnix(Endpoint endpoint) {
    return new TransportException(endpoint, Kind.UNSUPPORTED,
        "the unix transport serves only unix:// endpoints and socket paths, not '" + endpoint.scheme() + "'");
  }

  private static void closeQuietly(AFUNIXSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "closing a socket failed: " + e);
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "UnixTransport[" + listeners.size() + " listeners, " + connections.size() + " connections"
          + (closed ? ", closed" : "") + "]";
    }
  }
}
