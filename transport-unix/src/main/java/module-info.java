/**
 * The {@code unix://} transport, on junixsocket. It exports nothing: applications find it through
 * {@link io.peerlink.transport.api.TransportProvider} and use transport-api's types.
 */
module io.peerlink.transport.unix {
  requires io.peerlink.transport.api;
  requires org.newsclub.net.unix;

  provides io.peerlink.transport.api.TransportProvider with io.peerlink.transport.unix.UnixTransportProvider;
}
