package io.peerlink.node;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import io.peerlink.node.config.ConfigValidationException;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.inject.ConfigModule;
import io.peerlink.node.inject.DiscoveryModule;
import io.peerlink.node.inject.MasterModule;
import io.peerlink.node.inject.MetricsModule;
import io.peerlink.node.inject.TransportModule;
import io.peerlink.node.master.ChainState;
import io.peerlink.node.master.StoreHealth;
import io.peerlink.node.metrics.MetricsServer;
import io.peerlink.node.metrics.NodeMetrics;
import io.peerlink.node.metrics.Readiness;
import io.peerlink.node.role.MasterRole;
import io.peerlink.node.role.NodeRole;
import io.peerlink.node.role.StartupException;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: its roles, wired by Guice (config, then transports, then the master, then
 * discovery), started in order and stopped in reverse. Guice stays inside this class and the
 * modules; callers see a plain object.
 */
public final class PeerlinkNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerlinkNode.class);

  /** Which roles a node plays. */
  public enum Roles {
    /** Master and node, the default. */
    BOTH(true, true),
    /** The master alone, beside a real Rust node. */
    MASTER_ONLY(true, false),
    /** The node alone, beside a real Go master. */
    NODE_ONLY(false, true);

    final boolean master;
    final boolean node;

    Roles(boolean master, boolean node) {
      this.master = master;
      this.node = node;
    }
  }

  private final Injector injector;
  private final NodeConfig config;
  private final Roles roles;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile MasterRole master;
  private volatile NodeRole node;
  private ChainState chain;
  private MetricsServer metricsServer;
  private boolean closed;

  private PeerlinkNode(Injector injector, NodeConfig config, Roles roles) {
    this.injector = injector;
    this.config = config;
    this.roles = roles;
  }

  /**
   * Wires a node and validates its config; nothing listens yet.
   *
   * @throws ConfigValidationException when the config is bad: every problem, one line each
   */
  public static PeerlinkNode create(ConfigModule configModule, Roles roles) throws ConfigValidationException {
    List<Module> modules = List.of(configModule, new TransportModule(), new MetricsModule(), new MasterModule(),
        new DiscoveryModule());
    Injector injector = Guice.createInjector(modules);
    try {
      return new PeerlinkNode(injector, injector.getInstance(NodeConfig.class), roles);
    } catch (ProvisionException e) {
      injector.getInstance(TransportRegistry.class).close();
      for (Message m : e.getErrorMessages()) {
        if (m.getCause() instanceof ConfigValidationException) {
          throw (ConfigValidationException) m.getCause();
        }
      }
      throw e;
    }
  }

  /** The validated config. */
  public NodeConfig config() {
    return config;
  }

  /** The master role, once started (master or both roles). */
  public Optional<MasterRole> master() {
    return Optional.ofNullable(master);
  }

  /** The node role, once started (node or both roles). */
  public Optional<NodeRole> node() {
    return Optional.ofNullable(node);
  }

  /** The metrics endpoint's base URL ({@code http://127.0.0.1:9100}), once started with {@code enable_metrics}. */
  public Optional<String> metricsUrl() {
    return Optional.ofNullable(metricsServer).map(MetricsServer::url);
  }

  /**
   * Starts the metrics endpoint (with {@code enable_metrics}), then the roles: the master's
   * listeners first, so the node role finds its own master. The endpoint comes first so that a
   * taken {@code metrics_port} stops start-up before anything else listens, and so that
   * {@code /health/ready} says "not ready" while the roles start.
   *
   * @throws StartupException naming what could not start; whatever had started is stopped again
   */
  public synchronized void start() throws StartupException {
    try {
      if (config.metrics().enabled()) {
        metricsServer = MetricsServer.start(config.metrics(), injector.getInstance(NodeMetrics.class),
            new Readiness(readinessSource()));
      }
      if (roles.master) {
        try {
          chain = injector.getInstance(ChainState.class);
        } catch (ProvisionException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          throw new StartupException(cause.getMessage(), cause);
        }
        master = injector.getInstance(MasterRole.class);
        master.start();
      }
      if (roles.node) {
        node = injector.getInstance(NodeRole.class);
        if (roles.master) {
          node.syncInProcess(chain); // its own master: blocks go to it directly, not through its socket
        }
        node.start();
      }
      LOG.info("node {} started ({})", config.nodeId(), roles.name().toLowerCase(java.util.Locale.ROOT)
          .replace('_', '-'));
    } catch (StartupException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** What {@code /health/ready} reads: the roles as they are at each check. */
  private Readiness.Source readinessSource() {
    StoreHealth store = roles.master ? injector.getInstance(StoreHealth.class) : null;
    return new Readiness.Source() {
      @Override
      public boolean nodeRole() {
        return node().isPresent();
      }

      @Override
      public Optional<io.peerlink.discovery.core.discovery.SyncStatus> syncStatus() {
        return node().flatMap(NodeRole::current);
      }

      @Override
      public Optional<StoreHealth> store() {
        return master().isPresent() ? Optional.of(store) : Optional.empty();
      }
    };
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /**
   * Stops the node role, closes the listeners (removing their socket files), flushes and closes
   * the chain state, then the transports. Idempotent; safe from a shutdown hook.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (metricsServer != null) {
      metricsServer.close();
    }
    if (node != null) {
      node.close();
    }
    if (master != null) {
      master.close();
    }
    if (chain != null) {
      try {
        chain.close();
        LOG.info("master: chain state flushed and closed ({})", config.storagePath());
      } catch (IOException e) {
        LOG.error("master: closing the chain state at {} failed: {}", config.storagePath(), e.getMessage(), e);
      }
    }
    injector.getInstance(TransportRegistry.class).close();
    injector.getInstance(NodeMetrics.class).close();
    stopped.countDown();
  }
}
