package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.ListenerStats;
import io.peerlink.transport.api.support.ConnectionDeadlines;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.PipelineBound;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A listening socket and its accept thread. Each accepted socket is admitted or closed at once,
 * before any handler sees it: the access policy first, then the caps of {@link ListenerLimits}
 * (total, per address, the reserved connections), as transport-api's {@link ListenerCounters}
 * keeps them. Closing it closes every connection it accepted.
 */
final class JdkTcpListener implements Listener {

  private static final System.Logger LOG = System.getLogger(JdkTcpListener.class.getName());
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final ServerSocket server;
  private final Endpoint endpoint;
  private final ListenOptions options;
  private final ConnectionHandler handler;
  private final ListenerCounters counters = new ListenerCounters();
  private final RateLimitedLog refusalLog = new RateLimitedLog(LOG, Level.INFO);
  private final RateLimitedLog connectionErrorLog = new RateLimitedLog(LOG, Level.WARNING);
  private final Set<JdkTcpConnection> connections = ConcurrentHashMap.newKeySet();
  private final Thread acceptThread;

  JdkTcpListener(ServerSocket server, Endpoint requested, ListenOptions options, ConnectionHandler handler) {
    this.server = server;
    this.endpoint = Endpoint.parse("jtcp://" + requested.address().replaceAll(":0$", ":" + server.getLocalPort()));
    this.options = options;
    this.handler = handler;
    acceptThread = new Thread(this::acceptLoop, "jtcp-accept-" + server.getLocalPort());
    acceptThread.setDaemon(true);
    acceptThread.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        admit(server.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void admit(Socket s) {
    counters.accepted();
    InetSocketAddress from = (InetSocketAddress) s.getRemoteSocketAddress();
    // Policies speak tcp://ip:port for TCP peers, whatever the scheme that carried them.
    Endpoint asTcp = Endpoint.tcp(from.getAddress().getHostAddress(), from.getPort());
    Optional<String> refusal = options.access().refusal(asTcp, Optional.empty());
    if (refusal.isPresent()) {
      counters.refusedByPolicy();
      refuse(s, asTcp, refusal.get());
      return;
    }
    ListenerLimits limits = options.limits();
    boolean mayUseReserved = options.reservedFor().refusal(asTcp, Optional.empty()).isEmpty();
    String overLimit = counters.admit(from.getAddress(), limits, mayUseReserved);
    if (overLimit != null) {
      counters.refusedOverLimit();
      refuse(s, asTcp, overLimit);
      return;
    }
    JdkTcpConnection c = new JdkTcpConnection(s, Endpoint.parse("jtcp://" + asTcp.address()), options.format(),
        options.maxFrameLength(), counters, connectionErrorLog, ConnectionDeadlines.of(limits), PipelineBound.of(limits));
    connections.add(c);
    c.closeFuture().thenRun(() -> {
      connections.remove(c);
      counters.release(from.getAddress(), limits, mayUseReserved);
    });
    try {
      s.setTcpNoDelay(true);
      FrameHandler frames = c.askConnectionHandler(handler); // null: it refused, and c is closed
      if (frames != null) {
        c.start(frames);
      }
    } catch (IOException e) {
      c.closeWith(e);
    }
  }

  private void refuse(Socket s, Endpoint from, String why) {
    refusalLog.log(() -> endpoint + ": refused a connection from " + from + ": " + why);
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public ListenerStats stats() {
    return counters.snapshot();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    awaitAcceptThread();
    List.copyOf(connections).forEach(JdkTcpConnection::closeNow);
  }

  // The JDK only marks a socket closed while another thread is blocked in accept on it; the kernel
  // socket, and with it the port, is released when that thread leaves accept. Waiting for it makes
  // close() free the endpoint, as the Listener contract says (the kit's reuse test caught this).
  private void awaitAcceptThread() {
    if (Thread.currentThread() == acceptThread) {
      return; // closed from its own handler: the loop ends when the handler returns
    }
    try {
      acceptThread.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (acceptThread.isAlive()) {
      LOG.log(Level.WARNING, () -> endpoint + ": the accept thread did not end within " + CLOSE_WAIT_MILLIS
          + " ms of closing; a connection handler is probably blocked");
    }
  }
}
