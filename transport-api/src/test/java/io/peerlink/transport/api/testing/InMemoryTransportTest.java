package io.peerlink.transport.api.testing;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import java.nio.file.Path;

/** The in-memory transport passes the same kit as the socket transports. */
class InMemoryTransportTest extends AbstractTransportTest {

  @Override
  protected TransportProvider newProvider() {
    return new InMemoryTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("mem://" + dir.getFileName() + "-" + System.nanoTime());
  }

  @Override
  protected Endpoint deadEndpoint(Path dir) {
    return Endpoint.parse("mem://nobody-" + dir.getFileName());
  }
}
