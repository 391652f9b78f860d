package io.peerlink.transport.tcp;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractOutgoingFrameTest;
import java.nio.file.Path;

/**
 * The frames-of-pieces kit on tcp with the I/O mode ServiceLoader's provider picks (epoll on
 * Linux): file ranges by sendfile.
 */
class TcpOutgoingFrameTest extends AbstractOutgoingFrameTest {

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("tcp://127.0.0.1:0");
  }
}
