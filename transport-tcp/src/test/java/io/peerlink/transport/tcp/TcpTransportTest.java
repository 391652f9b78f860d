package io.peerlink.transport.tcp;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractTransportTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/** The transport test kit, on the I/O mode ServiceLoader's provider picks here (epoll on Linux). */
class TcpTransportTest extends AbstractTransportTest {

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
    return Endpoint.tcp("127.0.0.1", freePort());
  }

  /** A loopback port that was free a moment ago: bound by the system, then released. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
