package io.peerlink.transport.tcp;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportProvider;
import java.util.Optional;
import java.util.Set;

/**
 * The TCP transport, on Netty: scheme {@code tcp} ({@code host:port}, IPv6 literals, DNS names
 * resolved when connecting). Found by {@link java.util.ServiceLoader}.
 *
 * <p>Each {@link #create() transport} owns a small Netty event loop group (native epoll where it
 * loads, NIO otherwise) that {@link Transport#close()} shuts down. Connections have
 * {@code TCP_NODELAY} and {@code SO_KEEPALIVE} on; listeners set {@code SO_REUSEADDR} so a
 * closed listener's port can be bound again at once.
 *
 * <p>Scheme {@code tls} ({@code tls://host:port}) is TCP with TLS 1.3/1.2 and mutual
 * authentication, configured with {@link io.peerlink.transport.api.TlsOptions} (PEM files).
 */
public final class TcpTransportProvider implements TransportProvider {

  private final IoMode forcedMode; // null: the best one available here
  private final String unavailable; // null when available; computed once

  /** The provider as ServiceLoader makes it. Never throws. */
  public TcpTransportProvider() {
    this(null);
  }

  /** For tests: a provider whose transports use the given I/O mode. */
  TcpTransportProvider(IoMode forcedMode) {
    this.forcedMode = forcedMode;
    this.unavailable = checkNetty();
  }

  private static String checkNetty() {
    try {
      Class.forName("io.netty.channel.Channel", false, TcpTransportProvider.class.getClassLoader());
      Class.forName("io.netty.channel.nio.NioIoHandler", false, TcpTransportProvider.class.getClassLoader());
      return null;
    } catch (Throwable t) {
      return "Netty 4.2 (io.netty:netty-all) is not on the class path: " + t;
    }
  }

  @Override
  public Set<String> schemes() {
    return Set.of(Endpoint.TCP, Endpoint.TLS);
  }

  @Override
  public boolean isAvailable() {
    return unavailable == null;
  }

  @Override
  public Optional<String> unavailabilityReason() {
    return Optional.ofNullable(unavailable);
  }

  @Override
  public Transport create() {
    if (unavailable != null) {
      throw new IllegalStateException("the tcp transport is unavailable: " + unavailable);
    }
    return new TcpTransport(forcedMode != null ? forcedMode : IoMode.best());
  }

  @Override
  public String toString() {
    return "TcpTransportProvider" + schemes() + (unavailable == null ? "" : " unavailable: " + unavailable);
  }
}
