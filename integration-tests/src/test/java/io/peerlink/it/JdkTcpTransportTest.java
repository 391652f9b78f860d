package io.peerlink.it;

import io.peerlink.it.thirdparty.JdkTcpTransportProvider;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractTransportTest;
import java.nio.file.Path;

/**
 * The transport kit on the third-party {@code jtcp} example, as on unix and tcp: a transport
 * written outside the repository is held to the same contract.
 */
class JdkTcpTransportTest extends AbstractTransportTest {

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
    return dead();
  }

  /** A jtcp endpoint on a loopback port nothing listens on. */
  static Endpoint dead() {
    return Endpoint.parse("jtcp://127.0.0.1:" + LoopbackPorts.pick());
  }

  @Override
  protected boolean isForeignThread(String name) {
    return super.isForeignThread(name) || name.startsWith("it-"); // NodeProcess's output pumps
  }
}
