package io.peerlink.transport.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.ListenerStats;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.net.InetAddress;
import java.time.Duration;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A bound server channel and the connections it accepted.
 *
 * <p>Each accepted connection is checked before anything else is set up on it: the
 * {@link AccessPolicy}, then the caps of {@link ListenerLimits} (per listener, per remote
 * {@link InetAddress}). A refused one is closed at once, without a pipeline, so no handler sees
 * it; it is counted, and logged through a {@link RateLimitedLog} (the first, then at most one
 * summary a minute), so a flood of refusals does not flood the log.
 */
final class TcpListener implements Listener {

  private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());
  private static final long CLOSE_WAIT_MILLIS = 5_000;
  private static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

  private final ListenOptions options;
  private final ConnectionHandler handler;
  private final Consumer<TcpListener> onClosed;
  private final SslContext ssl; // null: plain TCP
  private final ListenerCounters counters = new ListenerCounters();
  private final RateLimitedLog policyLog = new RateLimitedLog(LOG, Level.INFO, LOG_INTERVAL);
  private final RateLimitedLog limitLog = new RateLimitedLog(LOG, Level.INFO, LOG_INTERVAL);
  private final RateLimitedLog connectionErrorLog = new RateLimitedLog(LOG, Level.WARNING, LOG_INTERVAL);
  private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Endpoint endpoint; // the requested one until bound, then with the real port
  private volatile Channel serverChannel;

  TcpListener(Endpoint requested, ListenOptions options, ConnectionHandler handler, SslContext ssl,
      Consumer<TcpListener> onClosed) {
    this.endpoint = requested;
    this.ssl = ssl;
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
    counters.accepted();
    if (closed.get()) {
      child.close(); // accepted while the listener was closing
      return;
    }
    Endpoint remote = remoteOf(child);
    InetSocketAddress address = (InetSocketAddress) child.remoteAddress();
    InetAddress ip = address == null ? null : address.getAddress();
    Optional<String> refusal;
    try {
      refusal = options.access().refusal(remote, Optional.empty());
    } catch (RuntimeException e) { // a broken policy refuses rather than admits
      refusal = Optional.of("the access policy failed: " + e);
    }
    if (refusal.isPresent()) {
      counters.refusedByPolicy();
      String why = refusal.get();
      policyLog.log(() -> "listener " + endpoint + ": refused the connection from " + remote + ": " + why);
      child.close();
      return;
    }
    ListenerLimits limits = options.limits();
    boolean mayUseReserved = limits.reservedConnections() == 0 || mayUseReserved(remote);
    String overLimit = counters.admit(ip, limits, mayUseReserved);
    if (overLimit != null) {
      counters.refusedOverLimit();
      limitLog.log(() -> "listener " + endpoint + ": refused the connection from " + remote + ": " + overLimit);
      child.close();
      return;
    }
    child.closeFuture().addListener(f -> counters.release(ip, limits, mayUseReserved));
    TcpPipelines.installAccepted(child, remote, options, handler, counters, connectionErrorLog, ssl);
  }

  private boolean mayUseReserved(Endpoint remote) {
    try {
      return options.reservedFor().refusal(remote, Optional.empty()).isEmpty();
    } catch (RuntimeException e) {
      return false; // a broken policy reserves rather than admits
    }
  }

  @Override
  public ListenerStats stats() {
    return counters.snapshot();
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
    if (server != null) {
      awaitSocketRelease(server, deadline);
    }
    onClosed.accept(this);
  }

  /**
   * Java NIO closes a socket registered with a selector only when the selector next runs (the
   * close future completes before that), so the port could still be taken for a moment. The wait
   * ends in a task scheduled from the event loop: the loop moves scheduled tasks into its queue
   * only as it starts a round of tasks, after it has selected. (A task merely queued by another
   * runs in the same round, before any select: the port was then now and again still bound when
   * close returned.)
   */
  private static void awaitSocketRelease(Channel server, long deadlineNanos) {
    io.netty.channel.EventLoop loop = server.eventLoop();
    if (loop.inEventLoop()) {
      return;
    }
    java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);
    try {
      loop.execute(() -> loop.schedule(settled::countDown, 0, java.util.concurrent.TimeUnit.NANOSECONDS));
      settled.await(Math.max(0, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the event loop has ended: its selector, and the socket with it, is closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "TcpListener[" + endpoint + (closed.get() ? ", closed" : "") + "]";
  }
}
