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

  private final class Conn implements Connection {
    private final Socket socket;
    private final Endpoint remote;
    private final FrameFormat format;
    private final int max;
    private final OutputStream out;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    Conn(Socket socket, Endpoint remote, FrameFormat format, int max) throws IOException {
      this.socket = socket;
      this.remote = remote;
      this.format = format;
      this.max = max;
      this.out = socket.getOutputStream();
      open.add(this);
    }

    void start(FrameHandler handler) throws IOException {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Thread reader = new Thread(() -> {
        Throwable cause = null;
        try {
          byte[] frame;
          while ((frame = format.readFrame(in, max)) != null) {
            handler.onFrame(this, frame);
          }
        } catch (Exception e) {
          cause = socket.isClosed() ? null : e;
        }
        close();
        handler.onClose(this, cause);
      }, "jtcp-read");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public Endpoint remote() {
      return remote;
    }

    @Override
    public synchronized CompletableFuture<Void> send(byte[] frame) {
      if (frame.length > max) {
        return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.BAD_FRAME, "frame too long"));
      }
      try {
        out.write(format.encode(frame));
        out.flush();
        return CompletableFuture.completedFuture(null);
      } catch (IOException e) {
        close();
        return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.CLOSED, String.valueOf(e), e));
      }
    }

    @Override
    public boolean isOpen() {
      return !socket.isClosed();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return closed;
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      open.remove(this);
      closed.complete(null);
    }
  }
}
