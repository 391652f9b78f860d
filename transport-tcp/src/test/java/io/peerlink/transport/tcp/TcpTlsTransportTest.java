package io.peerlink.transport.tcp;

import io.peerlink.transport.api.testing.TestCertificates;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractTransportTest;
import java.nio.file.Path;

/** The transport test kit over {@code tls://}: mutual TLS on both sides of every connection. */
class TcpTlsTransportTest extends AbstractTransportTest {

  private final TestCertificates certs = TestCertificates.get();

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("tls://127.0.0.1:0");
  }

  @Override
  protected Endpoint deadEndpoint(Path dir) {
    return Endpoint.tls("127.0.0.1", TcpTransportTest.freePort());
  }

  @Override
  protected ConnectOptions connectOptions(FrameFormat format) {
    return ConnectOptions.of(format).withTls(certs.client);
  }

  @Override
  protected ListenOptions listenOptions(FrameFormat format) {
    return ListenOptions.of(format).withTls(certs.server);
  }
}
