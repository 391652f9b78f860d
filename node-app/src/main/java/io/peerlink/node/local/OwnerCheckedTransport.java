package io.peerlink.node.local;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import java.util.concurrent.CompletableFuture;

/**
 * The shared transports of a registry, with connections to Unix sockets refused unless a trusted
 * uid serves them. Owns nothing: closing it leaves the shared transports open.
 */
final class OwnerCheckedTransport implements Transport {
  private final TransportRegistry shared;
  private final SocketOwnerCheck check;

  OwnerCheckedTransport(TransportRegistry shared, SocketOwnerCheck check) {
    this.shared = shared;
    this.check = check;
  }

  @Override
  public CompletableFuture<Connection> connect(Endpoint endpoint, ConnectOptions options, FrameHandler handler) {
    CompletableFuture<Connection> connected;
    try {
      connected = shared.transportFor(endpoint).connect(endpoint, options, handler);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!endpoint.isUnix()) {
      return connected;
    }
    return connected.thenCompose(connection -> {
      try {
        return CompletableFuture.completedFuture(check.checked(connection));
      } catch (TransportException e) {
        return CompletableFuture.failedFuture(e);
      }
    });
  }

  @Override
  public Listener listen(Endpoint endpoint, ListenOptions options, ConnectionHandler handler) throws TransportException {
    return shared.transportFor(endpoint).listen(endpoint, options, handler);
  }

  @Override
  public void close() {
    // the shared transports belong to the wrapped registry
  }
}
