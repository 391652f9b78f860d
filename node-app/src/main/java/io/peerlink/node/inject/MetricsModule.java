package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.metrics.NodeMetrics;

/**
 * The node's meters: one registry per node, read by the master's log line and, with
 * {@code enable_metrics}, served over HTTP with the JVM's and the process's meters besides.
 */
public final class MetricsModule extends AbstractModule {

  @Provides
  @Singleton
  NodeMetrics nodeMetrics(NodeConfig config) {
    NodeMetrics metrics = new NodeMetrics();
    return config.metrics().enabled() ? metrics.withJvmMeters() : metrics;
  }
}
