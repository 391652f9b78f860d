package io.peerlink.transport.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The TCP transport: one Netty event loop group, shared by its listeners (accepting and serving)
 * and its outgoing connections.
 *
 * <p>The group has {@code min(2, cores)} threads and no separate accept ("boss") thread: accepting
 * is cheap next to serving, the peer traffic of a node is small, and every thread is one more the
 * machine schedules (this runs beside a consensus node). Two loops still let a slow handler on
 * one connection leave the other half of the connections responsive.
 *
 * <p>Endpoints of scheme {@code tls} are TCP with TLS (mutual authentication, see
 * {@link TlsContexts}); they need {@link ConnectOptions#tls()} / {@link ListenOptions#tls()}. An
 * outgoing TLS connection is handed out once its handshake has succeeded.
 */
final class TcpTransport implements Transport {

  private static final System.Logger LOG = System.getLogger(TcpTransport.class.getName());

  static final int THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
  private static final long BIND_WAIT_MILLIS = 30_000;
  private static final long TERMINATION_WAIT_MILLIS = 10_000;

  private final IoMode mode;
  private final EventLoopGroup group;
  private final HostResolver resolver;
  private final Set<Channel> outgoing = ConcurrentHashMap.newKeySet();
  private final Set<TcpListener> listeners = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final TlsContexts tlsContexts = new TlsContexts();

  // Accepted connections stop reading while their outbound buffer is above the high mark, so a
  // peer that does not read cannot make it grow without bound.
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  TcpTransport(IoMode mode) {
    this(mode, new HostResolver());
  }

  /** For tests: with a resolver that answers without DNS traffic. */
  TcpTransport(IoMode mode, HostResolver resolver) {
    this.mode = mode;
    this.resolver = resolver;
    // Daemon threads: a transport the application forgot to close does not keep the JVM alive.
    this.group = new MultiThreadIoEventLoopGroup(THREADS, new DefaultThreadFactory("peerlink-tcp", true),
        mode.ioHandlerFactory());
  }

  IoMode mode() {
    return mode;
  }

  @Override
  public CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(handler, "handler");
    if (!endpoint.isTcp() && !endpoint.isTls()) {
      return CompletableFuture.failedFuture(new TransportException(endpoint, Kind.UNSUPPORTED,
          "the tcp transport serves only tcp:// and tls:// endpoints"));
    }
    try {
      endpoint.requireConnectable();
    } catch (InvalidEndpointException e) {
      return CompletableFuture.failedFuture(new TransportException(endpoint, Kind.IO, e.getMessage(), e));
    }
    SslContext ssl = null;
    if (endpoint.isTls()) {
      try {
        ssl = tlsContexts.client(endpoint, TlsContexts.require(endpoint, options.tls(), "ConnectOptions", Kind.IO));
      } catch (TransportException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    final SslContext tls = ssl;
    if (closed.get()) {
      return CompletableFuture.failedFuture(closedTransport(endpoint));
    }
    long timeoutMillis = options.connectTimeout().toMillis();
    long deadline = System.nanoTime() + options.connectTimeout().toNanos();
    CompletableFuture<Connection> result = new CompletableFuture<>();

    InetAddress literal = HostResolver.literal(endpoint.host());
    if (literal != null) {
      attempt(endpoint, new InetAddress[] {literal}, 0, deadline, timeoutMillis, options, tls, handler, result);
      return result;
    }
    // A DNS name: looked up now, within the same connect timeout.
    ScheduledFuture<?> timer;
    try {
      timer = group.schedule(() -> result.completeExceptionally(
          ConnectErrors.timedOut(endpoint, timeoutMillis, null)), timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) { // the group is shutting down
      return CompletableFuture.failedFuture(closedTransport(endpoint));
    }
    CompletableFuture<InetAddress[]> lookup;
    try {
      lookup = resolver.resolve(endpoint.host());
    } catch (RuntimeException e) { // the lookup threads were stopped: the transport is closing
      timer.cancel(false);
      return CompletableFuture.failedFuture(closedTransport(endpoint));
    }
    lookup.whenComplete((addresses, err) -> {
      if (result.isDone()) {
        return; // timed out
      }
      if (err != null) {
        timer.cancel(false);
        Throwable c = ConnectErrors.unwrap(err);
        result.completeExceptionally(c instanceof UnknownHostException
            ? ConnectErrors.unknownHost(endpoint, c)
            : closed.get() ? closedTransport(endpoint) : ConnectErrors.map(endpoint, null, c, timeoutMillis));
        return;
      }
      timer.cancel(false);
      attempt(endpoint, addresses, 0, deadline, timeoutMillis, options, tls, handler, result);
    });
    return result;
  }

  /**
   * Connects to {@code addresses[index]}; when that fails for another reason than the timeout,
   * tries the next address of the name (a host with an IPv6 and an IPv4 address may listen on
   * only one of them).
   */
  private void attempt(Endpoint endpoint, InetAddress[] addresses, int index, long deadline, long timeoutMillis,
      ConnectOptions options, SslContext tls, FrameHandler handler, CompletableFuture<Connection> result) {
    if (result.isDone()) {
      return; // timed out while the name was looked up, or cancelled
    }
    long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (leftMillis <= 0) {
      result.completeExceptionally(ConnectErrors.timedOut(endpoint, timeoutMillis, null));
      return;
    }
    if (closed.get()) {
      result.completeExceptionally(closedTransport(endpoint));
      return;
    }
    InetSocketAddress address = new InetSocketAddress(addresses[index], endpoint.port());
    ChannelFuture f;
    try {
      f = new Bootstrap()
          .group(group)
          .channelFactory(mode.socketChannels())
          .resolver(NoopAddressResolverGroup.INSTANCE) // the address is resolved already
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.SO_KEEPALIVE, true)
          .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FrameSizeEstimator.INSTANCE) // file regions count their bytes
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(leftMillis, Integer.MAX_VALUE))
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              if (tls == null) {
                TcpPipelines.installOutgoing(ch, endpoint, options.format(), options.maxFrameLength(), handler);
              } else {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                TcpPipelines.installOutgoingTls(ch, endpoint, options.format(), options.maxFrameLength(), handler, tls,
                    left);
              }
            }
          })
          .connect(address);
    } catch (RuntimeException e) {
      result.completeExceptionally(closed.get() ? closedTransport(endpoint)
          : ConnectErrors.map(endpoint, address, e, timeoutMillis));
      return;
    }
    Channel ch = f.channel();
    outgoing.add(ch);
    ch.closeFuture().addListener(x -> outgoing.remove(ch));
    f.addListener(done -> {
      if (done.isSuccess() && tls != null) {
        SslHandler sslHandler = ch.pipeline().get(SslHandler.class);
        sslHandler.handshakeFuture().addListener(hs -> {
          if (hs.isSuccess()) {
            handOut(endpoint, ch, result);
          } else {
            ch.close();
            result.completeExceptionally(closed.get() ? closedTransport(endpoint)
                : new TransportException(endpoint, Kind.IO, "TLS handshake with " + address + " failed: "
                    + ConnectErrors.describe(hs.cause()), hs.cause()));
          }
        });
        return;
      }
      if (done.isSuccess()) {
        handOut(endpoint, ch, result);
        return;
      }
      Throwable cause = done.cause();
      if (closed.get()) {
        result.completeExceptionally(closedTransport(endpoint));
      } else if (index + 1 < addresses.length && !(cause instanceof io.netty.channel.ConnectTimeoutException)
          && !result.isDone()) {
        LOG.log(Level.DEBUG, endpoint + ": " + address + " failed (" + cause + "), trying the next address");
        attempt(endpoint, addresses, index + 1, deadline, timeoutMillis, options, tls, handler, result);
      } else {
        result.completeExceptionally(ConnectErrors.map(endpoint, address, cause, timeoutMillis));
      }
    });
  }

  // The connection is up (and authenticated, over TLS): complete the caller's future with it.
  private void handOut(Endpoint endpoint, Channel ch, CompletableFuture<Connection> result) {
    TcpInbound inbound = ch.pipeline().get(TcpInbound.class);
    TcpConnection c = inbound == null ? null : inbound.connection();
    if (closed.get()) {
      ch.close();
      result.completeExceptionally(closedTransport(endpoint));
    } else if (c == null || !result.complete(c)) {
      ch.close(); // the caller gave up (timed out while resolving, or cancelled)
    }
  }

  @Override
  public Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler)
      throws TransportException {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(handler, "handler");
    if (!endpoint.isTcp() && !endpoint.isTls()) {
      throw new TransportException(endpoint, Kind.UNSUPPORTED,
          "the tcp transport serves only tcp:// and tls:// endpoints");
    }
    SslContext ssl = endpoint.isTls()
        ? TlsContexts.server(endpoint, TlsContexts.require(endpoint, options.tls(), "ListenOptions", Kind.BIND_FAILED))
        : null;
    if (closed.get()) {
      throw closedTransport(endpoint);
    }
    InetAddress bindAddress;
    try {
      bindAddress = HostResolver.resolveNow(endpoint.host());
    } catch (UnknownHostException e) {
      throw new TransportException(endpoint, Kind.BIND_FAILED, "cannot listen: unknown host '" + endpoint.host()
          + "' (" + e.getMessage() + ")", e);
    }
    TcpListener listener = new TcpListener(endpoint, options, handler, ssl, listeners::remove);
    ChannelFuture bind;
    try {
      bind = new ServerBootstrap()
          .group(group)
          .channelFactory(mode.serverChannels())
          .option(ChannelOption.SO_BACKLOG, options.backlog())
          .option(ChannelOption.SO_REUSEADDR, true) // re-bind at once after close, despite TIME_WAIT
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.SO_KEEPALIVE, true)
          // file regions count their bytes toward the water mark
          .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FrameSizeEstimator.INSTANCE)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              listener.accept(ch);
            }
          })
          .bind(new InetSocketAddress(bindAddress, endpoint.port()));
    } catch (RuntimeException e) {
      throw new TransportException(endpoint, closed.get() ? Kind.CLOSED : Kind.BIND_FAILED, "cannot listen: " + e, e);
    }
    if (!bind.awaitUninterruptibly(BIND_WAIT_MILLIS)) {
      bind.channel().close();
      throw new TransportException(endpoint, Kind.BIND_FAILED, "cannot listen: not bound within "
          + BIND_WAIT_MILLIS + " ms");
    }
    if (!bind.isSuccess()) {
      Throwable c = bind.cause();
      throw new TransportException(endpoint, closed.get() ? Kind.CLOSED : Kind.BIND_FAILED,
          "cannot listen: " + bindFailure(c), c);
    }
    listener.bound(bind.channel());
    listeners.add(listener);
    if (closed.get()) { // closed while binding: do not leave a listener behind
      listener.close();
      throw closedTransport(endpoint);
    }
    LOG.log(Level.DEBUG, "listening on " + listener.endpoint() + " (" + mode + ")");
    return listener;
  }

  // "bind(..) failed: Address already in use" (epoll) and "Address already in use" (NIO) alike.
  private static String bindFailure(Throwable c) {
    String m = c.getMessage();
    if (m == null) {
      return c.toString();
    }
    String s = m.startsWith("bind(..) failed: ") ? m.substring("bind(..) failed: ".length()) : m;
    return s.isEmpty() ? c.toString() : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  /**
   * Closes every listener and connection, shuts the event loops down and waits until their threads
   * have ended, unless called from one of them (a handler), where waiting would deadlock.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (TcpListener l : new ArrayList<>(listeners)) {
        l.close();
      }
      for (Channel c : outgoing) {
        c.close();
      }
      resolver.close();
      // Quiet period 0: no grace for new tasks; everything is closed already.
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    for (EventExecutor e : group) {
      if (e.inEventLoop()) {
        LOG.log(Level.DEBUG, "Transport.close() called on its own event loop; not waiting for termination");
        return;
      }
    }
    if (!group.terminationFuture().awaitUninterruptibly(TERMINATION_WAIT_MILLIS)) {
      LOG.log(Level.WARNING, "the tcp transport's event loops did not end within " + TERMINATION_WAIT_MILLIS + " ms");
    }
  }

  private static TransportException closedTransport(Endpoint endpoint) {
    return new TransportException(endpoint, Kind.CLOSED, "the tcp transport is closed");
  }

  @Override
  public String toString() {
    return "TcpTransport[" + mode.name().toLowerCase(java.util.Locale.ROOT) + ", " + THREADS + " threads"
        + (closed.get() ? ", closed" : "") + "]";
  }
}
