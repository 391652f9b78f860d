package io.peerlink.it;

import io.peerlink.it.thirdparty.JdkTcpTransportProvider;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractOutgoingFrameTest;
import java.nio.file.Path;

/** The frames-of-pieces kit on the third-party {@code jtcp} example, which keeps the default send. */
class JdkTcpOutgoingFrameTest extends AbstractOutgoingFrameTest {

  @Override
  protected TransportProvider newProvider() {
    return new JdkTcpTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("jtcp://127.0.0.1:0");
  }
}
