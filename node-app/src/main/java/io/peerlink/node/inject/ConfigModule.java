package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import io.peerlink.node.config.NodeConfig;
import java.util.Objects;

/**
 * The node's configuration, read and validated before the injector exists
 * ({@link io.peerlink.node.config.ConfigLoader}): a bad config never reaches Guice, so no
 * provider has to report one.
 */
public final class ConfigModule extends AbstractModule {

  private final NodeConfig config;

  /** @param config the validated config every other module builds from */
  public ConfigModule(NodeConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  protected void configure() {
    bind(NodeConfig.class).toInstance(config);
  }
}
