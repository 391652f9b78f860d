package io.peerlink.node.config;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TlsOptions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the master's listeners treat what connects to them: limits, who may connect, the socket
 * files' mode and group, and TLS on the peer port. Immutable; built by {@link ConfigLoader} from
 * the config (the defaults live in reference.conf alone).
 *
 * @param peerRpcAllow {@code peer_rpc_allow}: CIDR blocks admitted to the peer port; empty admits all
 * @param peerRpcLimits {@code limits.peer_rpc.*}
 * @param localLimits {@code limits.local.*}: the query socket and the block channel
 * @param unixSocketMode {@code unix_socket_mode} as permission letters, e.g. {@code rw-------}
 * @param unixSocketGroup {@code unix_socket_group}: group given to the socket files, if any
 * @param unixAllowedUids {@code unix_allowed_uids}: uids admitted to the Unix sockets; empty admits
 *     anyone who can open the file
 * @param tls {@code tls.*}: when present the peer port serves {@code tls://} and TLS peers are
 *     queried with it
 * @param executorAllow {@code executor_allow}: CIDR blocks admitted to an executor socket written
 *     {@code tcp://}; empty means it must be on loopback
 * @param masterUids {@code master_uids}: uids trusted, besides the node's own, to serve the Unix
 *     sockets the node connects to
 * @param rangeBlocksPerSecond {@code limits.peer_rpc.range_blocks_per_second}: get_blocks_range
 *     blocks served to one remote address per second on the peer port; 0 = unlimited
 * @param strangerRangeBlocksPerSecond {@code limits.peer_rpc.stranger_range_blocks_per_second}:
 *     get_blocks_range blocks served per second to all addresses that are not configured peers'
 *     together; 0 = unlimited
 * @param peerRangeBlocksPerSecond {@code limits.peer_rpc.peer_range_blocks_per_second}:
 *     get_blocks_range blocks served to one configured peer's address per second (in place of
 *     {@code rangeBlocksPerSecond}); 0 = unlimited
 */
public record ListenerSettings(List<String> peerRpcAllow, ListenerLimits peerRpcLimits, ListenerLimits localLimits,
    String unixSocketMode, Optional<String> unixSocketGroup, Set<Long> unixAllowedUids, Optional<TlsOptions> tls,
    List<String> executorAllow, Set<Long> masterUids, long rangeBlocksPerSecond, long strangerRangeBlocksPerSecond,
    long peerRangeBlocksPerSecond) {

  /** Checks for nulls and copies the collections. */
  public ListenerSettings {
    peerRpcAllow = List.copyOf(peerRpcAllow);
    Objects.requireNonNull(peerRpcLimits, "peerRpcLimits");
    Objects.requireNonNull(localLimits, "localLimits");
    Objects.requireNonNull(unixSocketMode, "unixSocketMode");
    Objects.requireNonNull(unixSocketGroup, "unixSocketGroup");
    unixAllowedUids = Set.copyOf(unixAllowedUids);
    Objects.requireNonNull(tls, "tls");
    executorAllow = List.copyOf(executorAllow);
    masterUids = Set.copyOf(masterUids);
    if (rangeBlocksPerSecond < 0) {
      throw new IllegalArgumentException("rangeBlocksPerSecond must be 0 (unlimited) or positive, got "
          + rangeBlocksPerSecond);
    }
    if (strangerRangeBlocksPerSecond < 0) {
      throw new IllegalArgumentException("strangerRangeBlocksPerSecond must be 0 (unlimited) or positive, got "
          + strangerRangeBlocksPerSecond);
    }
    if (peerRangeBlocksPerSecond < 0) {
      throw new IllegalArgumentException("peerRangeBlocksPerSecond must be 0 (unlimited) or positive, got "
          + peerRangeBlocksPerSecond);
    }
  }

  /** The peer port's access policy: the CIDR allowlist, or everyone when it is empty. */
  public AccessPolicy peerRpcAccess() {
    return peerRpcAllow.isEmpty() ? AccessPolicy.allowAll() : AccessPolicy.cidrs(peerRpcAllow);
  }

  /**
   * An executor socket written {@code tcp://}: the allowlist, or loopback only when it is empty
   * (the validator refuses a non-loopback address without one).
   */
  public AccessPolicy executorTcpAccess() {
    return AccessPolicy.cidrs(executorAllow.isEmpty() ? List.of("127.0.0.0/8", "::1/128") : executorAllow);
  }

  /** The Unix sockets' access policy: the uid allowlist, or everyone when it is empty. */
  public AccessPolicy unixAccess() {
    return unixAllowedUids.isEmpty() ? AccessPolicy.allowAll() : AccessPolicy.uids(unixAllowedUids);
  }
}
