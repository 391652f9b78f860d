package io.peerlink.transport.unix;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.ListenerStats;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * A socket path being listened on: an accept thread hands every connection to a reader thread of
 * its own (see {@link UnixConnection}), so a slow handler never delays accepting.
 *
 * <p>At accept, before any thread or handler is spent on it, a connection is checked against the
 * {@link AccessPolicy} (with the peer credentials the kernel reports) and the connection cap; a
 * refused one is closed at once and counted. Refusals are logged at INFO through a
 * {@link RateLimitedLog}, so a flood of them costs a line per interval, not a line each.
 */
final class UnixListener implements Listener {

  private static final System.Logger LOG = System.getLogger(UnixListener.class.getName());

  /** Pause after a failed accept (e.g. out of file descriptors), so the loop does not spin. */
  private static final long ACCEPT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final UnixTransport transport;
  private final Endpoint endpoint;
  private final BoundSocketFile socketFile;
  private final ListenOptions options;
  private final ConnectionHandler handler;
  private final ListenerCounters counters = new ListenerCounters();
  private final RateLimitedLog refusalLog = new RateLimitedLog(LOG, Level.INFO);
  private final RateLimitedLog overLimitLog = new RateLimitedLog(LOG, Level.WARNING);
  private final RateLimitedLog connectionErrorLog = new RateLimitedLog(LOG, Level.WARNING);
  private volatile boolean closed; // written under the transport's lock
  private volatile Thread acceptThread;

  UnixListener(UnixTransport transport, Endpoint endpoint, BoundSocketFile socketFile, ListenOptions options,
      ConnectionHandler handler) {
    this.transport = transport;
    this.endpoint = endpoint;
    this.socketFile = socketFile;
    this.options = options;
    this.handler = handler;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public ListenerStats stats() {
    return counters.snapshot();
  }

  ListenerLimits limits() {
    return options.limits();
  }

  ListenerCounters counters() {
    return counters;
  }

  /** Where handler errors and bad frames of this listener's connections are logged, flood-limited. */
  RateLimitedLog connectionErrorLog() {
    return connectionErrorLog;
  }

  /** An admitted connection ended (or was discarded): it no longer counts against the cap. */
  void connectionEnded() {
    counters.release(null, options.limits(), true);
  }

  boolean isClosed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }

  /** Starts the accept thread; called once, by the transport, under its lock. */
  void start() {
    acceptThread = transport.startThread("peerlink-unix-accept-" + endpoint.path(), this::acceptLoop);
  }

  private void acceptLoop() {
    while (!closed) {
      AFUNIXSocket socket;
      try {
        socket = socketFile.accept();
      } catch (IOException e) {
        if (closed || socketFile.isClosed()) {
          return;
        }
        LOG.log(Level.WARNING, "accepting a connection on " + endpoint + " failed: " + e + "; accepting goes on", e);
        LockSupport.parkNanos(ACCEPT_RETRY_NANOS);
        continue;
      }
      counters.accepted();
      PeerCredentials credentials = UnixSockets.readPeerCredentials(socket);
      if (!admit(socket, credentials)) {
        continue;
      }
      UnixConnection connection;
      try {
        connection = UnixConnection.accepted(this, socket, credentials, options.format(), options.maxFrameLength(),
            handler);
      } catch (IOException | RuntimeException e) {
        connectionEnded();
        LOG.log(Level.WARNING, "setting up a connection accepted on " + endpoint + " failed: " + e, e);
        closeQuietly(socket);
        continue;
      }
      if (!transport.adopt(connection)) {
        connection.discard(); // this listener or the transport closed meanwhile
        return;
      }
    }
  }

  /**
   * Checks a just-accepted socket against the access policy and the connection cap; closes and
   * counts it when refused. Admitted, it holds a slot of the cap until {@link #connectionEnded}.
   */
  private boolean admit(AFUNIXSocket socket, PeerCredentials credentials) {
    AccessPolicy access = options.access();
    Optional<String> refusal;
    try {
      refusal = access.refusal(endpoint, Optional.ofNullable(credentials));
    } catch (RuntimeException e) {
      refusal = Optional.of("the access policy failed: " + e); // fail closed
    }
    if (refusal.isPresent()) {
      closeQuietly(socket);
      counters.refusedByPolicy();
      String why = refusal.get();
      refusalLog.log(() -> "refused a connection on " + endpoint + " from " + describe(credentials) + ": " + why);
      return false;
    }
    // No remote addresses on a local socket: only the listener's cap applies.
    String overLimit = counters.admit(null, options.limits(), true);
    if (overLimit != null) {
      closeQuietly(socket);
      counters.refusedOverLimit();
      overLimitLog.log(() -> "refused a connection on " + endpoint + " from " + describe(credentials) + ": "
          + overLimit);
      return false;
    }
    return true;
  }

  private static String describe(PeerCredentials c) {
    return c == null ? "a peer without credentials" : "pid " + c.pid() + " uid " + c.uid() + " gid " + c.gid();
  }

  /**
   * Stops accepting, removes the socket file, closes the connections it accepted and waits for its
   * threads to end (all but the calling one).
   */
  WriteFlusher flusher() {
    return transport.flusher();
  }

  @Override
  public void close() {
    if (!transport.closeListener(this)) {
      return;
    }
    socketFile.close();
    Thread t = acceptThread;
    if (t != null) {
      transport.join(t);
    }
    transport.closeAndJoinConnectionsOf(this);
  }

  private static void closeQuietly(AFUNIXSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "closing an accepted socket failed: " + e);
    }
  }

  @Override
  public String toString() {
    return "UnixListener[" + endpoint + (closed ? ", closed" : "") + "]";
  }
}
