package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-per-connection blocking sockets; see {@link JdkTcpTransportProvider}. Closing it closes
 * every listener and connection it made, and it refuses new ones after.
 */
final class JdkTcpTransport implements Transport {

  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private static InetSocketAddress address(Endpoint e) {
    String[] hostPort = e.address().split(":(?=[0-9]+$)");
    return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
  }

  private TransportException closedTransport(Endpoint endpoint) {
    return new TransportException(endpoint, TransportException.Kind.CLOSED, "the jtcp transport is closed");
  }

  @Override
  public CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler) {
    if (closed) {
      return CompletableFuture.failedFuture(closedTransport(endpoint));
    }
    CompletableFuture<Connection> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(address(endpoint), (int) options.connectTimeout().toMillis());
        JdkTcpConnection conn = JdkTcpConnection.dialled(s, endpoint, options.format(), options.maxFrameLength());
        track(conn);
        conn.start(handler);
        result.complete(conn);
      } catch (TransportException e) {
        closeQuietly(s);
        result.completeExceptionally(e); // closed meanwhile
      } catch (ConnectException e) {
        closeQuietly(s);
        result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.REFUSED, e.getMessage(), e));
      } catch (SocketTimeoutException e) {
        closeQuietly(s);
        result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.TIMED_OUT, "connect timed out", e));
      } catch (IOException | RuntimeException e) {
        closeQuietly(s);
        result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.IO, String.valueOf(e), e));
      }
    }, "jtcp-connect-" + endpoint.address());
    t.setDaemon(true);
    t.start();
    return result;
  }

  @Override
  public Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler) throws TransportException {
    if (closed) {
      throw closedTransport(endpoint);
    }
    ServerSocket server;
    try {
      server = new ServerSocket();
      server.bind(address(endpoint), options.backlog());
    } catch (IOException e) {
      throw new TransportException(endpoint, TransportException.Kind.BIND_FAILED, String.valueOf(e), e);
    }
    JdkTcpListener listener = new JdkTcpListener(server, endpoint, options, handler);
    open.add(listener);
    return listener;
  }

  // A connection made after close() began is closed here, so none outlives the transport.
  private void track(JdkTcpConnection conn) throws TransportException {
    open.add(conn);
    conn.closeFuture().thenRun(() -> open.remove(conn));
    if (closed) {
      conn.closeNow();
      throw closedTransport(conn.remote());
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    for (AutoCloseable c : List.copyOf(open)) {
      if (c instanceof JdkTcpConnection conn) {
        conn.closeNow(); // no waiting on a peer that does not read
      } else {
        try {
          c.close();
        } catch (Exception e) {
          // closing anyway
        }
      }
    }
    open.clear();
  }
}
