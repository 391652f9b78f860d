package io.peerlink.node.role;

import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.metrics.NodeMetrics;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master role (the seed's Go master): three listeners over one chain state.
 * <ul>
 *   <li>{@code executor_receive_socket_path}: the full query API, for the local node;</li>
 *   <li>{@code peer_rpc_bind:peer_rpc_port}: the read-only query API, for peers; mutating calls
 *       are answered with {@code error};</li>
 *   <li>{@code executor_send_socket_path}: the block channel, where commits arrive.</li>
 * </ul>
 * The state itself (and flushing it) belongs to the caller; closing this role closes the
 * listeners and removes their socket files.
 */
public final class MasterRole implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MasterRole.class);

  /**
   * The block channel is a one-way stream: no frame is ever answered, so the listener's bound on
   * unanswered frames would stop reading after that many commits; and the local node may commit
   * nothing for longer than any idle timeout between epochs. Both are off whatever
   * {@code limits.local} says; its other limits apply.
   */
  static ListenerLimits blockChannelLimits(ListenerLimits local) {
    return local.withIdleTimeout(Duration.ZERO).withMaxPipelined(Integer.MAX_VALUE);
  }

  private final NodeConfig config;
  private final TransportRegistry transports;
  private final MasterHandlers handlers;
  private final NodeMetrics meters;
  private final List<Listener> listeners = new ArrayList<>();
  private volatile Endpoint peerRpcBound;
  private ScheduledExecutorService metrics;

  /**
   * @param config where to listen
   * @param transports the installed transports
   * @param handlers what each listener serves (MasterModule builds them over the chain state)
   * @param meters where the listeners' counters are registered
   */
  @Inject
  public MasterRole(NodeConfig config, TransportRegistry transports, MasterHandlers handlers, NodeMetrics meters) {
    this.config = config;
    this.transports = transports;
    this.handlers = handlers;
    this.meters = meters;
  }

  /** A master over {@code state} and {@code intake}, with meters of its own (tests). */
  public MasterRole(NodeConfig config, TransportRegistry transports, MasterState state, CommitIntake intake) {
    this(config, transports, MasterHandlers.of(config, state, intake), new NodeMetrics());
  }

  /**
   * Binds the three listeners, logging each with its endpoint.
   *
   * @throws StartupException naming the key and endpoint that could not be bound; listeners already
   *     bound are closed again
   */
  public synchronized void start() throws StartupException {
    ListenerSettings s = config.listeners();
    try {
      meters.bindErrorAnswers("executor_receive_socket_path", handlers.local());
      meters.bindErrorAnswers("peer_rpc_port", handlers.peers());
      listen("executor_receive_socket_path", "query API (full, for the local node)", config.localMaster(),
          local(ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), config.localMaster(), s.localLimits()),
          handlers.local());
      // The peer port is TCP (or TLS); uid checks and socket file modes do not apply to it.
      // Slots kept for the configured peers' addresses; with none configured, nothing to keep.
      ListenerLimits peerLimits = config.peers().isEmpty() ? s.peerRpcLimits().withReservedConnections(0)
          : s.peerRpcLimits();
      Listener peer = listen("peer_rpc_port", "query API (read-only, for peers)", config.peerRpc(),
          ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withLimits(peerLimits)
              .withReservedFor(handlers.peerAddresses()).withAccess(s.peerRpcAccess()).withTls(s.tls().orElse(null)),
          handlers.peerPort());
      peerRpcBound = peer.endpoint();
      // A one-way stream that may be quiet between blocks: no idle timeout, and no pipelining
      // bound (it counts frames not yet answered, and commits are never answered).
      listen("executor_send_socket_path", "block channel (commits from the local node)", config.blockChannel(),
          local(ListenOptions.of(FrameFormat.UVARINT).withMaxFrameLength(config.master().maxCommitBytes()),
              config.blockChannel(), blockChannelLimits(s.localLimits())),
          handlers.blockChannel());
    } catch (StartupException e) {
      close();
      throw e;
    }
    startMetrics();
  }

  /**
   * A local listener's options: its limits and, for a Unix socket, the file mode and uid
   * allowlist. A local endpoint configured as TCP serves the full API, so only loopback or
   * {@code executor_allow} may connect.
   */
  private ListenOptions local(ListenOptions base, Endpoint endpoint, ListenerLimits limits) {
    ListenerSettings s = config.listeners();
    ListenOptions o = base.withLimits(limits);
    return endpoint.isUnix() ? o.withSocketFileMode(s.unixSocketMode()).withAccess(s.unixAccess())
        : o.withAccess(s.executorTcpAccess());
  }

  private Listener listen(String key, String what, Endpoint endpoint, ListenOptions options, ConnectionHandler handler)
      throws StartupException {
    Listener listener;
    try {
      listener = transports.transportFor(endpoint).listen(endpoint, options, meters.countFrames(key, handler));
    } catch (TransportException e) {
      throw new StartupException(key + ": cannot listen on " + endpoint + ": " + reason(e, endpoint), e);
    } catch (RuntimeException e) {
      throw new StartupException(key + ": cannot listen on " + endpoint + ": " + e.getMessage(), e);
    }
    listeners.add(listener);
    meters.bindListener(key, listener);
    Optional<String> group = config.listeners().unixSocketGroup();
    if (group.isPresent() && listener.endpoint().isUnix()) {
      chgrp(key, listener.endpoint(), group.get());
    }
    LOG.info("master: {} listening on {} ({})", what, listener.endpoint(), key);
    return listener;
  }

  /** Gives the socket file to {@code unix_socket_group}, as {@code chgrp} would. */
  private static void chgrp(String key, Endpoint endpoint, String group) throws StartupException {
    try {
      GroupPrincipal principal = endpoint.path().getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByGroupName(group);
      Files.setAttribute(endpoint.path(), "posix:group", principal);
    } catch (UserPrincipalNotFoundException e) {
      throw new StartupException("unix_socket_group = \"" + group + "\": no such group (for " + key + " "
          + endpoint + ")", e);
    } catch (IOException | RuntimeException e) {
      throw new StartupException("unix_socket_group = \"" + group + "\": cannot give " + endpoint.path()
          + " to that group: " + e.getMessage(), e);
    }
  }

  /** One metrics line every {@code metrics.interval}, on a daemon thread of its own. */
  private void startMetrics() {
    Duration every = config.metrics().logInterval();
    if (every.isZero()) {
      return;
    }
    metrics = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peerlink-metrics");
      t.setDaemon(true);
      return t;
    });
    metrics.scheduleAtFixedRate(() -> {
      try {
        LOG.info(metricsLine());
      } catch (RuntimeException e) {
        LOG.warn("master: metrics line failed: {}", e.toString());
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * {@code metrics: peerlink_listener_connections_accepted_total{listener="peer_rpc_port"}=3 ...}:
   * the listeners' non-zero counters and error answers by call, from the meters {@code /metrics}
   * serves.
   */
  public String metricsLine() {
    return meters.logLine("peerlink.listener.");
  }

  // TransportException messages already start with the endpoint; say it once.
  private static String reason(TransportException e, Endpoint endpoint) {
    String msg = String.valueOf(e.getMessage());
    String prefix = endpoint + ": ";
    return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
  }

  /** The peer API's endpoint as bound (a configured port 0 replaced by the real one), once started. */
  public Optional<Endpoint> peerRpcEndpoint() {
    return Optional.ofNullable(peerRpcBound);
  }

  /**
   * Closes the listeners, newest first; each removes its socket file only if it is still the one
   * it created (a file that replaced it is someone else's). Idempotent.
   */
  @Override
  public synchronized void close() {
    if (metrics != null) {
      metrics.shutdownNow();
      metrics = null;
    }
    for (int i = listeners.size() - 1; i >= 0; i--) {
      Listener l = listeners.get(i);
      try {
        l.close();
      } catch (RuntimeException e) {
        LOG.warn("master: closing the listener on {} failed: {}", l.endpoint(), e.getMessage());
      }
      LOG.info("master: stopped listening on {}", l.endpoint());
    }
    listeners.clear();
  }
}
