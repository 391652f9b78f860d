package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.ListenerCounters;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Thread-per-connection blocking sockets; see {@link JdkTcpTransportProvider}. */
final class JdkTcpTransport implements Transport {

  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();

  private static InetSocketAddress address(Endpoint e) {
    String[] hostPort = e.address().split(":(?=[0-9]+$)");
    return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
  }

  @Override
  public CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler) {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(address(endpoint), (int) options.connectTimeout().toMillis());
        Conn conn = new Conn(s, endpoint, options.format(), options.maxFrameLength());
        conn.start(handler);
        result.complete(conn);
      } catch (ConnectException e) {
        result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.REFUSED, e.getMessage(), e));
      } catch (SocketTimeoutException e) {
        result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.TIMED_OUT, "connect timed out", e));
      } catch (IOException | RuntimeException e) {
        result.completeExceptionally(new TransportException(endpoint, TransportException.Kind.IO, String.valueOf(e), e));
      }
    }, "jtcp-connect");
    t.setDaemon(true);
    t.start();
    return result;
  }

  @Override
  public Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler) throws TransportException {
    ServerSocket server;
    try {
      server = new ServerSocket();
      server.bind(address(endpoint), options.backlog());
    } catch (IOException e) {
      throw new TransportException(endpoint, TransportException.Kind.BIND_FAILED, String.valueOf(e), e);
    }
    open.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Conn conn = new Conn(s, endpoint, options.format(), options.maxFrameLength());
          try {
            conn.start(handler.onConnect(conn));
          } catch (Exception refused) {
            conn.close();
          }
        } catch (IOException e) {
          return;
        }
      }
    }, "jtcp-accept");
    t.setDaemon(true);
    t.start();
    return new Listener() {
      @Override
      public Endpoint endpoint() {
        return Endpoint.parse("jtcp://" + endpoint.address().replaceAll(":0$", ":" + server.getLocalPort()));
      }

      @Override
      public void close() {
        try {
          server.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    };
  }

  @Override
  public void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  /**
   * One socket and its reader thread. Closing once with a cause, the send checks and the close
   * notification come from transport-api's support package: the transport adds only its I/O.
   */
  private final class Conn extends AbstractConnection {
    private final Socket socket;
    private final FrameFormat format;
    private final OutputStream out;
    private volatile FrameHandler handler;

    Conn(Socket socket, Endpoint remote, FrameFormat format, int max) throws IOException {
      super(remote, max, ListenerCounters.none(), null);
      this.socket = socket;
      this.format = format;
      this.out = socket.getOutputStream();
      open.add(this);
    }

    void start(FrameHandler frameHandler) throws IOException {
      handler = frameHandler;
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Thread reader = new Thread(() -> {
        Throwable cause = null;
        try {
          byte[] frame;
          while ((frame = format.readFrame(in, maxFrameLength())) != null) {
            frameHandler.onFrame(this, frame);
          }
        } catch (Exception e) {
          cause = e;
        }
        closeWith(cause); // a no-op when closed already: the first close's cause is reported
        closed(frameHandler);
      }, "jtcp-read");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public synchronized CompletableFuture<Void> send(byte[] frame) {
      Throwable refused = sendRefusal(frame);
      if (refused != null) {
        return CompletableFuture.failedFuture(refused);
      }
      try {
        out.write(format.encode(frame));
        out.flush();
        return CompletableFuture.completedFuture(null);
      } catch (IOException e) {
        TransportException failure = new TransportException(remote(), TransportException.Kind.CLOSED,
            "the connection broke while sending: " + e, e);
        closeWith(failure);
        return CompletableFuture.failedFuture(failure);
      }
    }

    @Override
    protected void closeIo() {
      try {
        socket.close(); // ends the reader's read, which tells the handler
      } catch (IOException e) {
        // closing anyway
      }
      open.remove(this);
      if (handler == null) {
        discarded(); // never started: no reader thread to finish the close
      }
    }
  }
}
