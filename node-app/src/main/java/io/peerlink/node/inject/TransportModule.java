package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import io.peerlink.transport.api.TransportRegistry;
import java.util.Objects;

/**
 * The transports the config was validated against (every endpoint was parsed by
 * {@link TransportRegistry#endpoint}): one registry per node, closed with the node.
 */
public final class TransportModule extends AbstractModule {

  private final TransportRegistry transports;

  /** @param transports the registry the config's endpoints were parsed with */
  public TransportModule(TransportRegistry transports) {
    this.transports = Objects.requireNonNull(transports, "transports");
  }

  @Override
  protected void configure() {
    bind(TransportRegistry.class).toInstance(transports);
  }
}
