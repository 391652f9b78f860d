package io.peerlink.node.config;

import com.typesafe.config.Config;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.transport.api.TransportRegistry;

/**
 * Turns a layered config into a {@link NodeConfig}: one binder per subtree reads its keys through
 * one {@link ConfigReader}, which collects every problem as one line
 * {@code key = value: expected ...}; only when there is none is anything built, so an operator
 * fixes every mistake in one go and no half-valid config reaches the wiring. Every value comes
 * from the config: the defaults live in reference.conf alone.
 */
final class NodeConfigValidator {

  private NodeConfigValidator() {
  }

  static NodeConfig validate(Config config, TransportRegistry transports) throws ConfigValidationException {
    ConfigReader r = new ConfigReader(config, transports);
    TlsBinder tls = new TlsBinder(r);
    EndpointsBinder endpoints = new EndpointsBinder(r, tls.options());
    StorageBinder storage = new StorageBinder(r);
    DiscoveryBinder discovery = new DiscoveryBinder(r);
    CatchUpBinder catchUp = new CatchUpBinder(r);
    ListenersBinder listeners = new ListenersBinder(r, tls.options());
    MetricsBinder metrics = new MetricsBinder(r);
    MasterBinder master = new MasterBinder(r);
    endpoints.requireLocalOrAllowed(listeners.executorAllow());
    r.throwIfProblems();

    DiscoveryOptions.Builder options = DiscoveryOptions.builder().tls(tls.options().orElse(null));
    return new NodeConfig(endpoints.nodeId(), endpoints.blockChannel(), endpoints.localMaster(), endpoints.peers(),
        endpoints.peerRpc(), storage.path(), storage.retentionBlocks(),
        catchUp.applyTo(discovery.applyTo(options)).build(), listeners.settings(), metrics.settings(),
        master.settings(catchUp.checkpoint()));
  }
}
