package io.peerlink.node.config;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TlsOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the master's listeners treat what connects to them: limits, who may connect, the socket
 * files' mode and group, and TLS on the peer port. Immutable; built by {@link ConfigLoader}.
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
 */
public record ListenerSettings(List<String> peerRpcAllow, ListenerLimits peerRpcLimits, ListenerLimits localLimits,
    String unixSocketMode, Optional<String> unixSocketGroup, Set<Long> unixAllowedUids, Optional<TlsOptions> tls) {

  /** reference.conf's values: everyone admitted, default limits, 0600, no TLS. */
  public static final ListenerSettings DEFAULTS = new ListenerSettings(List.of(), ListenerLimits.DEFAULTS,
      ListenerLimits.DEFAULTS.withIdleTimeout(Duration.ZERO).withMaxConnections(64, 64), "rw-------",
      Optional.empty(), Set.of(), Optional.empty());

  /** Checks for nulls and copies the collections. */
  public ListenerSettings {
    peerRpcAllow = List.copyOf(peerRpcAllow);
    Objects.requireNonNull(peerRpcLimits, "peerRpcLimits");
    Objects.requireNonNull(localLimits, "localLimits");
    Objects.requireNonNull(unixSocketMode, "unixSocketMode");
    Objects.requireNonNull(unixSocketGroup, "unixSocketGroup");
    unixAllowedUids = Set.copyOf(unixAllowedUids);
    Objects.requireNonNull(tls, "tls");
  }

  /** The peer port's access policy: the CIDR allowlist, or everyone when it is empty. */
  public AccessPolicy peerRpcAccess() {
    return peerRpcAllow.isEmpty() ? AccessPolicy.allowAll() : AccessPolicy.cidrs(peerRpcAllow);
  }

  /** The Unix sockets' access policy: the uid allowlist, or everyone when it is empty. */
  public AccessPolicy unixAccess() {
    return unixAllowedUids.isEmpty() ? AccessPolicy.allowAll() : AccessPolicy.uids(unixAllowedUids);
  }
}
