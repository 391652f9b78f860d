package io.peerlink.transport.tcp;

import io.peerlink.transport.api.testing.TestCertificates;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractTransportTest;
import java.nio.file.Path;
import java.time.Duration;

/** The transport test kit over {@code tls://}: mutual TLS on both sides of every connection. */
class TcpTlsTransportTest extends AbstractTransportTest {

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
    return tlsConnect(format);
  }

  @Override
  protected ListenOptions listenOptions(FrameFormat format) {
    return tlsListen(format);
  }

  /** Connect options with the test client certificate; shared with the other kits run over TLS. */
  static ConnectOptions tlsConnect(FrameFormat format) {
    // The kit's 100 concurrent connects are 100 mutual-TLS handshakes: on a loaded 2-core host
    // they took longer than the 5 s default connect timeout, which is a deadline, not a claim of
    // this test.
    return ConnectOptions.of(format).withTls(TestCertificates.get().client).withConnectTimeout(Duration.ofSeconds(30));
  }

  /** Listen options with the test server certificate. */
  static ListenOptions tlsListen(FrameFormat format) {
    return ListenOptions.of(format).withTls(TestCertificates.get().server);
  }
}
