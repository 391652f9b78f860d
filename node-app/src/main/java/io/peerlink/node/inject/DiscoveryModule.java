package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.peerlink.discovery.core.catchup.BlockSink;
import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.discovery.SyncMonitor;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.node.PeerlinkNode;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.local.SocketOwnerCheck;
import io.peerlink.node.role.NodeRole;
import io.peerlink.node.role.QuorumSize;
import io.peerlink.node.role.SyncCheck;
import io.peerlink.transport.api.TransportRegistry;
import jakarta.inject.Provider;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The node role's parts: discovery-core's discovery, sync decision, monitor and catch-up against
 * the node's own master and its peers, with the options from the config. {@code run} (the node
 * role) and {@code check-sync} (one {@link SyncCheck}) take their discovery from here, so both ask
 * the same peers with the same options and the same quorum.
 */
public final class DiscoveryModule extends AbstractModule {

  @Override
  protected void configure() {
    bind(NodeRole.class).in(Singleton.class);
    bind(SyncCheck.class);
  }

  /** The Unix sockets the node connects to must be served by its own uid or master_uids. */
  @Provides
  @Singleton
  @OwnerChecked
  TransportRegistry ownerChecked(TransportRegistry transports, NodeConfig config) {
    return SocketOwnerCheck.forThisProcess(config.listeners().masterUids()).wrap(transports);
  }

  /** The options with the quorum's f in effect (logged once, here). */
  @Provides
  @Singleton
  DiscoveryOptions discoveryOptions(NodeConfig config) {
    return QuorumSize.discoveryOptions(config);
  }

  @Provides
  @Singleton
  PeerDiscovery peerDiscovery(@OwnerChecked TransportRegistry transports, NodeConfig config, DiscoveryOptions options) {
    return new PeerDiscovery(transports, config.localMaster(), config.peers(), options);
  }

  @Provides
  @Singleton
  SyncChecker syncChecker(PeerDiscovery discovery) {
    return new SyncChecker(discovery);
  }

  @Provides
  @Singleton
  SyncMonitor syncMonitor(SyncChecker checker) {
    return new SyncMonitor(checker);
  }

  /** The node's own master, asked for its status and handed fetched blocks (sync_blocks). */
  @Provides
  @Singleton
  MasterClient localMaster(@OwnerChecked TransportRegistry transports, NodeConfig config) {
    return new MasterClient(transports, config.localMaster(), config.discovery().fetchTimeout());
  }

  /** The node role's thread: catch-up steps and rechecks. */
  @Provides
  @Singleton
  ScheduledExecutorService nodeScheduler(NodeConfig config) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peerlink-node-" + config.nodeId());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Catch-up into the own master, from the trusted checkpoint when one is configured. When this
   * process runs that master too (both roles: its {@code executor_receive_socket_path} is the
   * node's local master), the blocks go straight to its state, on a thread of their own, not
   * through its query socket, which cost every block an encoding, a copy through the socket and a
   * decoding more (the master checks them either way).
   */
  @Provides
  @Singleton
  CatchUp catchUp(SyncChecker checker, MasterClient localMaster, ScheduledExecutorService scheduler,
      NodeConfig config, PeerlinkNode.Roles roles, Provider<MasterState> ownMaster) {
    BlockSink sink = roles == PeerlinkNode.Roles.NODE_ONLY ? BlockSink.syncBlocksTo(localMaster)
        : BlockSink.syncBlocksTo(ownMaster.get(), "the local master (" + config.localMaster() + ", in this process)",
            masterSyncThread(config));
    CatchUp catchUp = new CatchUp(checker, sink, scheduler);
    config.master().trustedCheckpoint().ifPresent(catchUp::trustCheckpoint);
    return catchUp;
  }

  /** One daemon thread that ends when idle for a second, so nothing needs closing. */
  private static ThreadPoolExecutor masterSyncThread(NodeConfig config) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "peerlink-node-" + config.nodeId() + "-sync");
      t.setDaemon(true);
      return t;
    });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
