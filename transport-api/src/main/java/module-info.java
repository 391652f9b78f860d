/**
 * peerlink's transport SPI: endpoints, connections, listeners, framing, the request client, and
 * the provider registry that finds transports with {@link java.util.ServiceLoader}.
 */
module io.peerlink.transport.api {
  exports io.peerlink.transport.api;

  uses io.peerlink.transport.api.TransportProvider;
}
