package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.peerlink.node.role.NodeRole;

/**
 * The node role: discovery-core's discovery, sync decision and catch-up against the node's own
 * master and its peers, with the options from the config.
 */
public final class DiscoveryModule extends AbstractModule {

  @Override
  protected void configure() {
    bind(NodeRole.class).in(Singleton.class);
  }
}
