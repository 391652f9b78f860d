package io.peerlink.node.config;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.TlsOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds who the node is and where it talks: {@code node_id}, the executor sockets
 * ({@code executor_send_socket_path}, {@code executor_receive_socket_path}), the peers
 * ({@code peer_go_master_sockets} then {@code peer_rpc_addresses}, each endpoint once) and the
 * peer port ({@code peer_rpc_bind}:{@code peer_rpc_port}, {@code tls://} when TLS is set).
 */
final class EndpointsBinder {

  private final ConfigReader r;
  private final int nodeId;
  private final Endpoint blockChannel;
  private final Endpoint localMaster;
  private final Set<Endpoint> peers = new LinkedHashSet<>();
  private final Endpoint peerRpc;

  /** Reads the keys, recording each bad value in {@code r}. */
  EndpointsBinder(ConfigReader r, Optional<TlsOptions> tls) {
    this.r = r;
    nodeId = (int) r.integer("node_id", 0, Integer.MAX_VALUE, "a node number 0-2147483647");
    blockChannel = r.endpoint("executor_send_socket_path");
    localMaster = r.endpoint("executor_receive_socket_path");
    peers.addAll(r.endpoints("peer_go_master_sockets"));
    peers.addAll(r.endpoints("peer_rpc_addresses"));
    peerRpc = peerRpc(tls);
  }

  private Endpoint peerRpc(Optional<TlsOptions> tls) {
    int port = (int) r.integer("peer_rpc_port", 1, 65535, "a port number 1-65535");
    String bind = r.string("peer_rpc_bind");
    if (bind == null) {
      return null;
    }
    try {
      // Checked even when the port is bad, so both problems are reported in one go.
      int p = port > 0 ? port : 1;
      Endpoint written = tls.isPresent() ? Endpoint.tls(bind.strip(), p) : Endpoint.tcp(bind.strip(), p);
      Endpoint checked = r.transports().endpoint(written.toString());
      return port > 0 ? checked : null;
    } catch (InvalidEndpointException e) {
      r.problem("peer_rpc_bind", ConfigReader.expectedFrom(e));
      return null;
    }
  }

  /** Records a problem for an executor socket on the network that {@code executor_allow} does not restrict. */
  void requireLocalOrAllowed(List<String> executorAllow) {
    requireLocalOrAllowed("executor_receive_socket_path", localMaster, executorAllow);
    requireLocalOrAllowed("executor_send_socket_path", blockChannel, executorAllow);
  }

  /**
   * An executor socket serves the full, mutating API: written as {@code tcp://} or {@code tls://}
   * it must be on loopback, or {@code executor_allow} must say who may connect.
   */
  private void requireLocalOrAllowed(String key, Endpoint endpoint, List<String> allow) {
    if (endpoint == null || !(endpoint.isTcp() || endpoint.isTls()) || !allow.isEmpty()
        || LoopbackHosts.isLoopback(endpoint.host())) {
      return; // Unix sockets and other transports' schemes have no network host to judge
    }
    r.problem(key, r.value(key), "an executor socket serves the full API (advance_epoch, sync_blocks) to whoever"
        + " connects: bind it to loopback (127.0.0.1, ::1, localhost) or a Unix socket path, or list who may"
        + " connect in executor_allow");
  }

  int nodeId() {
    return nodeId;
  }

  Endpoint blockChannel() {
    return blockChannel;
  }

  Endpoint localMaster() {
    return localMaster;
  }

  List<Endpoint> peers() {
    return List.copyOf(peers);
  }

  Endpoint peerRpc() {
    return peerRpc;
  }
}
