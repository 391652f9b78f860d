package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.peerlink.transport.api.TransportRegistry;

/**
 * The transports: every provider ServiceLoader finds ({@link TransportRegistry#installed()}), one
 * registry per node, closed with the node.
 */
public final class TransportModule extends AbstractModule {

  @Provides
  @Singleton
  TransportRegistry transports() {
    return TransportRegistry.installed();
  }
}
