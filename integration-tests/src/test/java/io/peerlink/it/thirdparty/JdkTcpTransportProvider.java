package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportProvider;
import java.util.Optional;
import java.util.Set;

/**
 * A third-party transport, as a team would write one outside this repository: scheme
 * {@code jtcp}, plain JDK blocking sockets speaking the same frames as TCP. The integration test
 * packs this package into a jar of its own, with its META-INF/services file, and drops it beside
 * the node's jar.
 */
public final class JdkTcpTransportProvider implements TransportProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("jtcp");
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public Optional<String> unavailabilityReason() {
    return Optional.empty();
  }

  @Override
  public Transport create() {
    return new JdkTcpTransport();
  }
}
