package io.peerlink.node.config;

import com.typesafe.config.ConfigFactory;
import io.peerlink.transport.api.TransportRegistry;

/** Test access: the reference defaults as a NodeConfig. */
public final class ConfigLoaderAccess {

  private ConfigLoaderAccess() {
  }

  /** reference.conf alone, validated against the installed transports. */
  public static NodeConfig defaults() {
    try (TransportRegistry transports = TransportRegistry.installed()) {
      return ConfigLoader.withoutOverrides().load(ConfigFactory.empty(), transports);
    } catch (ConfigValidationException e) {
      throw new AssertionError(e);
    }
  }
}
