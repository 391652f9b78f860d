package io.peerlink.it;

import io.peerlink.it.thirdparty.JdkTcpTransportProvider;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractListenerHardeningTest;
import io.peerlink.transport.api.testing.RawClient;
import java.io.IOException;
import java.nio.file.Path;

/** The listener hardening kit on the third-party {@code jtcp} example. */
class JdkTcpListenerHardeningTest extends AbstractListenerHardeningTest {

  @Override
  protected TransportProvider newProvider() {
    return new JdkTcpTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("jtcp://127.0.0.1:0");
  }

  @Override
  protected Endpoint deadEndpoint(Path dir) {
    return JdkTcpTransportTest.dead();
  }

  /** jtcp speaks plain TCP: the raw client reaches it at the same host and port. */
  @Override
  protected RawClient openRaw(Endpoint listening, int receiveBuffer) throws IOException {
    return RawClient.connect(Endpoint.parse("tcp://" + listening.address()), receiveBuffer);
  }
}
