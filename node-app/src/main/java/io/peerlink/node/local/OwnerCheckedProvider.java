package io.peerlink.node.local;

import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.util.Optional;
import java.util.Set;

/**
 * A provider standing for another in a {@link SocketOwnerCheck#wrap view}: its transport is the
 * shared one of the wrapped registry, with the owner check on Unix connections.
 */
final class OwnerCheckedProvider implements TransportProvider {
  private final TransportProvider delegate;
  private final TransportRegistry shared;
  private final SocketOwnerCheck check;

  OwnerCheckedProvider(TransportProvider delegate, TransportRegistry shared, SocketOwnerCheck check) {
    this.delegate = delegate;
    this.shared = shared;
    this.check = check;
  }

  @Override
  public Set<String> schemes() {
    return delegate.schemes();
  }

  @Override
  public boolean isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public Optional<String> unavailabilityReason() {
    return delegate.unavailabilityReason();
  }

  @Override
  public int priority() {
    return delegate.priority();
  }

  @Override
  public Transport create() {
    return new OwnerCheckedTransport(shared, check);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
