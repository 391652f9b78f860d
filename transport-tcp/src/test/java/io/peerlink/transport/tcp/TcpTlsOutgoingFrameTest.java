package io.peerlink.transport.tcp;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractOutgoingFrameTest;
import java.nio.file.Path;

/** The frames-of-pieces kit over {@code tls://}, where file ranges are read into the frame (encrypted here). */
class TcpTlsOutgoingFrameTest extends AbstractOutgoingFrameTest {

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.parse("tls://127.0.0.1:0");
  }

  @Override
  protected ConnectOptions connectOptions(FrameFormat format) {
    return TcpTlsTransportTest.tlsConnect(format);
  }

  @Override
  protected ListenOptions listenOptions(FrameFormat format) {
    return TcpTlsTransportTest.tlsListen(format);
  }
}
