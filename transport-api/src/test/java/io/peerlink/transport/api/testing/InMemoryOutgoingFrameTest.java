package io.peerlink.transport.api.testing;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import java.nio.file.Path;

/** The frames-of-pieces kit on the in-memory transport, which reads file ranges into the frame (the default). */
class InMemoryOutgoingFrameTest extends AbstractOutgoingFrameTest {

  @Override
  protected TransportProvider newProvider() {
    return new InMemoryTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("mem://frames-" + dir.getFileName());
  }
}
