package io.peerlink.transport.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.NetUtil;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A bound server channel and the connections it accepted. */
final class TcpListener implements Listener {

  private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final ListenOptions options;
  private final ConnectionHandler handler;
  private final Consumer<TcpListener> onClosed;
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Endpoint endpoint; // the requested one until bound, then with the real port
  private volatile Channel serverChannel;

  TcpListener(Endpoint requested, ListenOptions options, ConnectionHandler handler, Consumer<TcpListener> onClosed) {
    this.endpoint = requested;
    this.options = options;
    this.handler = handler;
    this.onClosed = onClosed;
  }

  /** Called once the server channel is bound: the endpoint now carries the real port. */
  void bound(Channel server) {
    this.serverChannel = server;
    this.endpoint = endpoint.withPort(((InetSocketAddress) server.localAddress()).getPort());
  }

  /** Sets up an accepted channel; on its event loop, before it is active. */
  void accept(Channel child) {
    accepted.add(child);
    child.closeFuture().addListener(f -> accepted.remove(child));
    if (closed.get()) {
      child.close(); // accepted while the listener was closing
      return;
    }
    TcpConnection.installAccepted(child, remoteOf(child), options.format(), options.maxFrameLength(), handler,
        endpoint);
  }

  private Endpoint remoteOf(Channel child) {
    InetSocketAddress a = (InetSocketAddress) child.remoteAddress();
    if (a == null || a.getAddress() == null) {
      return endpoint; // cannot happen for an accepted socket; keeps the connection nameable anyway
    }
    return Endpoint.tcp(NetUtil.toAddressString(a.getAddress()), a.getPort());
  }

  /** For tests: the bound server channel, to inspect its socket options. */
  Channel serverChannel() {
    return serverChannel;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Closes the server channel and every accepted connection, and waits (unless called on an event
   * loop, where waiting would deadlock) until they are closed, so the port is free on return.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<ChannelFuture> closing = new ArrayList<>();
    Channel server = serverChannel;
    if (server != null) {
      closing.add(server.close());
    }
    for (Channel c : accepted) {
      closing.add(c.close());
    }
    long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000;
    for (ChannelFuture f : closing) {
      if (f.channel().eventLoop().inEventLoop()) {
        continue;
      }
      long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
      if (!f.awaitUninterruptibly(left)) {
        LOG.log(Level.WARNING, "listener " + endpoint + ": " + f.channel() + " did not close within "
            + CLOSE_WAIT_MILLIS + " ms");
      }
    }
    onClosed.accept(this);
  }

  @Override
  public String toString() {
    return "TcpListener[" + endpoint + (closed.get() ? ", closed" : "") + "]";
  }
}
