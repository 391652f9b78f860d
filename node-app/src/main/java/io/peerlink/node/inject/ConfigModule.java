package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.typesafe.config.Config;
import io.peerlink.node.config.ConfigLoader;
import io.peerlink.node.config.ConfigValidationException;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.TransportRegistry;
import java.util.Objects;

/**
 * The node's configuration: the user's config validated against the installed transports (every
 * endpoint is parsed by {@link TransportRegistry#endpoint}), or an already validated one.
 */
public final class ConfigModule extends AbstractModule {

  private final Config userConfig;
  private final ConfigLoader loader;
  private final NodeConfig validated;

  private ConfigModule(Config userConfig, ConfigLoader loader, NodeConfig validated) {
    this.userConfig = userConfig;
    this.loader = loader;
    this.validated = validated;
  }

  /** A user's config (as parsed from the file), validated when first needed. */
  public static ConfigModule of(Config userConfig, ConfigLoader loader) {
    return new ConfigModule(Objects.requireNonNull(userConfig), Objects.requireNonNull(loader), null);
  }

  /** A config validated already (the demo builds its nodes' configs itself). */
  public static ConfigModule of(NodeConfig config) {
    return new ConfigModule(null, null, Objects.requireNonNull(config));
  }

  @Provides
  @Singleton
  NodeConfig nodeConfig(TransportRegistry transports) throws ConfigValidationException {
    return validated != null ? validated : loader.load(userConfig, transports);
  }
}
