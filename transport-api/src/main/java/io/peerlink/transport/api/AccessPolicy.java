package io.peerlink.transport.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may connect to a listener. Checked once per accepted connection, before its handler sees
 * it; a refused connection is closed at once and counted in {@link ListenerStats#refusedByPolicy()}.
 */
@FunctionalInterface
public interface AccessPolicy {

  /**
   * @param remote the connecting peer: {@code tcp://ip:port} for TCP
   * @param credentials the kernel-reported identity, for local sockets
   * @return empty to admit, or why the connection is refused
   */
  Optional<String> refusal(Endpoint remote, Optional<PeerCredentials> credentials);

  /** Admits everyone. */
  static AccessPolicy allowAll() {
    return AllowAll.INSTANCE;
  }

  /**
   * Admits TCP peers whose address lies in one of the blocks, e.g. {@code 192.168.1.0/24},
   * {@code 127.0.0.1/32}, {@code ::1/128}; a bare address is a block of one.
   *
   * @throws IllegalArgumentException naming the entry that is not a CIDR block
   */
  static AccessPolicy cidrs(List<String> blocks) {
    return new CidrAllowlist(blocks);
  }

  /** Admits local peers whose uid is in the set; connections without credentials are refused. */
  static AccessPolicy uids(Set<Long> uids) {
    Set<Long> allowed = Set.copyOf(uids);
    return (remote, credentials) -> {
      if (credentials.isEmpty()) {
        return Optional.of("no peer credentials to check against the uid allowlist");
      }
      long uid = credentials.get().uid();
      return allowed.contains(uid) ? Optional.empty() : Optional.of("uid " + uid + " is not in the allowlist " + allowed);
    };
  }
}
