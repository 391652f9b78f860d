package io.peerlink.transport.tcp;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractListenerHardeningTest;
import java.nio.file.Path;

/** The listener hardening kit on plain TCP. */
class TcpListenerHardeningTest extends AbstractListenerHardeningTest {

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("tcp://127.0.0.1:0");
  }

  @Override
  protected Endpoint deadEndpoint(Path dir) {
    return Endpoint.tcp("127.0.0.1", TcpTransportTest.freePort());
  }
}
