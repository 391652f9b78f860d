package io.peerlink.node;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.typesafe.config.Config;
import io.peerlink.node.config.ConfigLoader;
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
import io.peerlink.node.role.SyncCheck;
import io.peerlink.transport.api.TransportRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: its roles, wired by Guice from a config validated before the injector exists
 * (config, transports, meters, the master, discovery), started in order and stopped in reverse.
 * The injector is used once, here, to build the node (or a {@link SyncCheck}); Guice stays inside
 * this class and the modules, callers see a plain object.
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

  private final NodeConfig config;
  private final Roles roles;
  private final TransportRegistry transports;
  private final NodeMetrics metrics;
  private final Provider<ChainState> chainState;
  private final Provider<StoreHealth> storeHealth;
  private final Provider<MasterRole> masterRole;
  private final Provider<NodeRole> nodeRole;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile MasterRole master;
  private volatile NodeRole node;
  private ChainState chain;
  private MetricsServer metricsServer;
  private boolean closed;

  // The roles' parts are provided lazily: a node-only process opens no storage, a master-only one
  // builds no discovery.
  @Inject
  PeerlinkNode(NodeConfig config, Roles roles, TransportRegistry transports, NodeMetrics metrics,
      Provider<ChainState> chainState, Provider<StoreHealth> storeHealth, Provider<MasterRole> masterRole,
      Provider<NodeRole> nodeRole) {
    this.config = config;
    this.roles = roles;
    this.transports = transports;
    this.metrics = metrics;
    this.chainState = chainState;
    this.storeHealth = storeHealth;
    this.masterRole = masterRole;
    this.nodeRole = nodeRole;
  }

  /**
   * Reads and validates a user's config (under {@code loader}'s overrides, over reference.conf),
   * then wires a node; nothing listens yet.
   *
   * @throws ConfigValidationException when the config is bad: every problem, one line each
   */
  public static PeerlinkNode create(Config userConfig, ConfigLoader loader, Roles roles)
      throws ConfigValidationException {
    TransportRegistry transports = TransportRegistry.installed();
    NodeConfig config;
    try {
      config = loader.load(userConfig, transports);
    } catch (ConfigValidationException | RuntimeException e) {
      transports.close();
      throw e;
    }
    return create(config, transports, roles);
  }

  /**
   * Wires a node from a validated config; nothing listens yet.
   *
   * @param config validated against {@code transports} ({@link ConfigLoader#load(Path, TransportRegistry)})
   * @param transports the node's transports; the node closes them when it closes
   */
  public static PeerlinkNode create(NodeConfig config, TransportRegistry transports, Roles roles) {
    return injector(config, transports, roles).getInstance(PeerlinkNode.class);
  }

  /**
   * One sync check ({@code check-sync}) wired as a running node's discovery is, from the same
   * modules; closing it closes its connections, not {@code transports}.
   */
  public static SyncCheck syncCheck(NodeConfig config, TransportRegistry transports) {
    return injector(config, transports, Roles.NODE_ONLY).getInstance(SyncCheck.class);
  }

  /** The object graph of a node, from a config validated already: one wiring for every command. */
  private static Injector injector(NodeConfig config, TransportRegistry transports, Roles roles) {
    return Guice.createInjector(new ConfigModule(config), new TransportModule(transports), new MetricsModule(),
        new MasterModule(), new DiscoveryModule(), new AbstractModule() {
          @Override
          protected void configure() {
            bind(Roles.class).toInstance(roles);
          }
        });
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
        metricsServer = MetricsServer.start(config.metrics(), metrics, new Readiness(readinessSource()));
      }
      if (roles.master) {
        try {
          chain = chainState.get();
        } catch (ProvisionException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          throw new StartupException(cause.getMessage(), cause);
        }
        master = masterRole.get();
        master.start();
      }
      if (roles.node) {
        node = nodeRole.get();
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
    StoreHealth store = roles.master ? storeHealth.get() : null;
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
      public Optional<io.peerlink.discovery.core.catchup.ChainFork> fork() {
        return node().flatMap(NodeRole::fork);
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
    transports.close();
    metrics.close();
    stopped.countDown();
  }
}
