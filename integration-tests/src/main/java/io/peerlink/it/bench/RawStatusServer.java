package io.peerlink.it.bench;

import io.peerlink.transport.api.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The raw baseline's server: a blocking {@link ServerSocketChannel} (TCP, or a Unix domain socket
 * through JDK 16+'s {@link UnixDomainSocketAddress}) and one platform thread per connection that
 * reads a frame, answers it with {@link StatusPayload#answer} and writes the answer.
 */
final class RawStatusServer implements StatusServer {

  private final ServerSocketChannel server;
  private final SocketAddress address;
  private final boolean unix;
  private final Path socketFile;
  private final Set<FramedChannel> connections = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private RawStatusServer(ServerSocketChannel server, SocketAddress address, boolean unix, Path socketFile) {
    this.server = server;
    this.address = address;
    this.unix = unix;
    this.socketFile = socketFile;
    this.acceptor = new Thread(this::acceptLoop, "raw-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static RawStatusServer startTcp() throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    return new RawStatusServer(s, s.getLocalAddress(), false, null);
  }

  static RawStatusServer startUnix(Path path) throws IOException {
    Files.deleteIfExists(path);
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    s.bind(UnixDomainSocketAddress.of(path), 1024);
    return new RawStatusServer(s, UnixDomainSocketAddress.of(path), true, path);
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          System.err.println("raw server: accept failed: " + e);
        }
        return;
      }
      FramedChannel conn = new FramedChannel(ch);
      connections.add(conn);
      Thread t = new Thread(() -> serve(conn), "raw-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(FramedChannel conn) {
    try {
      if (!unix) {
        conn.channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      byte[] frame;
      while ((frame = conn.readFrame()) != null) {
        conn.writeFrame(StatusPayload.answer(frame));
      }
    } catch (IOException e) {
      if (!closed && conn.channel().isOpen()) {
        System.err.println("raw server: connection failed: " + e);
      }
    } finally {
      connections.remove(conn);
      conn.close();
    }
  }

  /** Where it listens, as a peerlink endpoint (so peerlink clients can dial it too). */
  Endpoint endpoint() {
    return unix ? Endpoint.unix(socketFile)
        : Endpoint.tcp("127.0.0.1", ((InetSocketAddress) address).getPort());
  }

  @Override
  public StatusClient connect(boolean pipelined) throws IOException {
    return connectTo(endpoint(), pipelined);
  }

  /** A raw client to any status server: this one, or a peerlink listener. */
  static RawStatusClient connectTo(Endpoint endpoint, boolean pipelined) throws IOException {
    boolean toUnix = endpoint.isUnix();
    SocketChannel ch = SocketChannel.open(toUnix ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
    try {
      ch.connect(toUnix ? UnixDomainSocketAddress.of(endpoint.path())
          : new InetSocketAddress(endpoint.host(), endpoint.port()));
      if (!toUnix) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new RawStatusClient(new FramedChannel(ch), pipelined);
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (FramedChannel c : connections) {
      c.close();
    }
    try {
      acceptor.join(5_000);
      if (socketFile != null) {
        Files.deleteIfExists(socketFile);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a leftover socket file in a temp dir
    }
  }
}
