package io.peerlink.node.config;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.transport.api.Endpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A node's validated configuration: every endpoint parsed, every value checked. Built by
 * {@link ConfigLoader}; immutable.
 *
 * @param nodeId {@code node_id}
 * @param blockChannel {@code executor_send_socket_path}: where the master takes commits
 * @param localMaster {@code executor_receive_socket_path}: the master's full API, for its own node
 * @param peers {@code peer_go_master_sockets} then {@code peer_rpc_addresses}, each endpoint once
 * @param peerRpc {@code peer_rpc_bind}:{@code peer_rpc_port}: the master's read-only peer API
 * @param storagePath {@code storage_path}: the master's durable state
 * @param retentionBlocks {@code storage.retention_blocks}: newest blocks kept on disk
 * @param discovery discovery-core's options, from the {@code discovery}, {@code health} and
 *     {@code catch_up} blocks
 * @param listeners limits, access, socket files and TLS of the master's listeners
 * @param metrics {@code enable_metrics}, {@code metrics_bind}, {@code metrics_port} and
 *     {@code metrics.interval}
 * @param master the master role's protocol settings: committee file, waits, the block channel
 */
public record NodeConfig(
    int nodeId,
    Endpoint blockChannel,
    Endpoint localMaster,
    List<Endpoint> peers,
    Endpoint peerRpc,
    Path storagePath,
    long retentionBlocks,
    DiscoveryOptions discovery,
    ListenerSettings listeners,
    MetricsSettings metrics,
    MasterSettings master) {

  /** Checks for nulls and copies the lists. */
  public NodeConfig {
    Objects.requireNonNull(listeners, "listeners");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(master, "master");
    Objects.requireNonNull(blockChannel, "blockChannel");
    Objects.requireNonNull(localMaster, "localMaster");
    Objects.requireNonNull(peerRpc, "peerRpc");
    Objects.requireNonNull(storagePath, "storagePath");
    Objects.requireNonNull(discovery, "discovery");
    peers = List.copyOf(peers);
    if (retentionBlocks < 0) {
      throw new IllegalArgumentException("retentionBlocks must be 0 (keep all) or more, got " + retentionBlocks);
    }
  }

  /** This config with other metrics settings (tests, the demo). */
  public NodeConfig withMetrics(MetricsSettings newMetrics) {
    return new NodeConfig(nodeId, blockChannel, localMaster, peers, peerRpc, storagePath, retentionBlocks, discovery,
        listeners, newMetrics, master);
  }
}
