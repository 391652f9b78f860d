/**
 * The {@code tcp://} and {@code tls://} transport, on Netty. It exports nothing: applications find
 * it through {@link io.peerlink.transport.api.TransportProvider} and use transport-api's types.
 */
module io.peerlink.transport.tcp {
  requires io.peerlink.transport.api;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.resolver;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;

  provides io.peerlink.transport.api.TransportProvider with io.peerlink.transport.tcp.TcpTransportProvider;
}
