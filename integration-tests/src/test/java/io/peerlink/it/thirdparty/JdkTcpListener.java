package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.ListenerStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening socket and its accept thread. Each accepted socket is admitted or closed at once,
 * before any handler sees it: the {@link io.peerlink.transport.api.AccessPolicy} first, then the
 * caps of {@link ListenerLimits} (in total, per remote address, and the reserved connections only
 * {@link ListenOptions#reservedFor()} may take). Counts what it refuses and why connections close.
 */
final class JdkTcpListener implements Listener, JdkTcpConnection.ListenerEvents {

  private final ServerSocket server;
  private final Endpoint endpoint;
  private final ListenOptions options;
  private final ConnectionHandler handler;
  private final Set<JdkTcpConnection> connections = new HashSet<>(); // guarded by this
  private final Map<InetAddress, Integer> perAddress = new HashMap<>(); // guarded by this
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refusedByPolicy = new AtomicLong();
  private final AtomicLong refusedOverLimit = new AtomicLong();
  private final AtomicLong closedIdle = new AtomicLong();
  private final AtomicLong closedPartialFrame = new AtomicLong();
  private final AtomicLong badFrames = new AtomicLong();
  private final AtomicLong handlerErrors = new AtomicLong();
  private final AtomicLong readPauses = new AtomicLong();

  JdkTcpListener(ServerSocket server, Endpoint requested, ListenOptions options, ConnectionHandler handler) {
    this.server = server;
    this.endpoint = Endpoint.parse("jtcp://" + requested.address().replaceAll(":0$", ":" + server.getLocalPort()));
    this.options = options;
    this.handler = handler;
    Thread t = new Thread(this::acceptLoop, "jtcp-accept-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      admit(s);
    }
  }

  private void admit(Socket s) {
    InetSocketAddress from = (InetSocketAddress) s.getRemoteSocketAddress();
    // Policies speak tcp://ip:port for TCP peers, whatever the scheme that carried them.
    Endpoint asTcp = Endpoint.tcp(from.getAddress().getHostAddress(), from.getPort());
    if (options.access().refusal(asTcp, Optional.empty()).isPresent()) {
      refusedByPolicy.incrementAndGet();
      closeQuietly(s);
      return;
    }
    Endpoint remote = Endpoint.parse("jtcp://" + asTcp.address());
    JdkTcpConnection c = new JdkTcpConnection(s, remote, options.format(), options.maxFrameLength(),
        options.limits(), this);
    if (!register(c, from.getAddress(), asTcp)) {
      refusedOverLimit.incrementAndGet();
      closeQuietly(s);
      return;
    }
    c.onClosed(closed -> deregister(closed, from.getAddress()));
    try {
      s.setTcpNoDelay(true);
      c.start(handler.onConnect(c));
    } catch (Exception refused) {
      c.closeNow(); // the connection handler refused it: only this one (no writer was started)
    }
  }

  private synchronized boolean register(JdkTcpConnection c, InetAddress address, Endpoint asTcp) {
    ListenerLimits limits = options.limits();
    int total = connections.size();
    boolean reservedOnly = total >= limits.maxConnections() - limits.reservedConnections();
    if (total >= limits.maxConnections() || perAddress.getOrDefault(address, 0) >= limits.maxConnectionsPerAddress()
        || (reservedOnly && options.reservedFor().refusal(asTcp, Optional.empty()).isPresent())) {
      return false;
    }
    connections.add(c);
    perAddress.merge(address, 1, Integer::sum);
    return true;
  }

  private synchronized void deregister(JdkTcpConnection c, InetAddress address) {
    if (connections.remove(c)) {
      perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
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
  public void readPaused() {
    readPauses.incrementAndGet();
  }

  @Override
  public void closed(JdkTcpConnection c, JdkTcpConnection.Closing why) {
    switch (why) {
      case IDLE -> closedIdle.incrementAndGet();
      case PARTIAL_FRAME -> closedPartialFrame.incrementAndGet();
      case BAD_FRAME -> badFrames.incrementAndGet();
      case HANDLER_ERROR -> handlerErrors.incrementAndGet();
      case CLEAN -> {
      }
    }
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public synchronized ListenerStats stats() {
    return new ListenerStats(accepted.get(), connections.size(), refusedByPolicy.get(), refusedOverLimit.get(),
        closedIdle.get(), closedPartialFrame.get(), badFrames.get(), handlerErrors.get(), readPauses.get());
  }

  /** Stops accepting and closes every connection it accepted. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    List<JdkTcpConnection> open;
    synchronized (this) {
      open = List.copyOf(connections);
    }
    open.forEach(JdkTcpConnection::closeNow);
  }
}
