package io.peerlink.transport.unix;

import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * A socket path being listened on: an accept thread hands every connection to a reader thread of
 * its own (see {@link UnixConnection}), so a slow handler never delays accepting.
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
      UnixConnection connection;
      try {
        connection = UnixConnection.accepted(this, socket, options.format(), options.maxFrameLength(), handler);
      } catch (IOException | RuntimeException e) {
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
   * Stops accepting, removes the socket file, closes the connections it accepted and waits for its
   * threads to end (all but the calling one).
   */
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
