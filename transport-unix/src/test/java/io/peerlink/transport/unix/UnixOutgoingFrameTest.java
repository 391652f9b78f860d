package io.peerlink.transport.unix;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractOutgoingFrameTest;
import java.nio.file.Path;

/** The frames-of-pieces kit on Unix domain sockets, which read file ranges into the frame (the default). */
class UnixOutgoingFrameTest extends AbstractOutgoingFrameTest {

  @Override
  protected TransportProvider newProvider() {
    return new UnixTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.unix(dir.resolve("l.sock")); // one listener per test, in the test's own directory
  }
}
