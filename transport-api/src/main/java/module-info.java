/**
 * peerlink's transport SPI: endpoints, connections, listeners, framing, the request client, and
 * the provider registry that finds transports with {@link java.util.ServiceLoader}.
 * {@code io.peerlink.transport.api.support} is for transport implementers.
 */
module io.peerlink.transport.api {
  exports io.peerlink.transport.api;
  exports io.peerlink.transport.api.support;

  uses io.peerlink.transport.api.TransportProvider;
}
