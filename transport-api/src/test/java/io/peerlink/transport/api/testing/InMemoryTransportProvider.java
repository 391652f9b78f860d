package io.peerlink.transport.api.testing;

import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportProvider;
import java.util.Optional;
import java.util.Set;

/**
 * An in-process transport for tests, scheme {@code mem} ({@code mem://name}). Bytes really go
 * through the frame formats, so partial frames and bad headers behave as on a socket; see
 * {@link InMemoryTransport#sendRaw} to write bytes that are not a whole frame.
 *
 * <p>Listeners live in one JVM-wide namespace, so a client made by one transport reaches a
 * listener made by another, as sockets would.
 */
public final class InMemoryTransportProvider implements TransportProvider {

  /** The scheme served. */
  public static final String SCHEME = "mem";

  @Override
  public Set<String> schemes() {
    return Set.of(SCHEME);
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
    return new InMemoryTransport();
  }
}
