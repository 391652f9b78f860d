package io.peerlink.node.role;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of the configured peers, as an {@link AccessPolicy}: who may take the peer port's
 * reserved connections. Host names are resolved once, at start; one that does not resolve is
 * logged and left out (its peer then competes with strangers for the other slots).
 */
final class PeerAddresses {
  private static final Logger LOG = LoggerFactory.getLogger(PeerAddresses.class);

  private PeerAddresses() {}

  static AccessPolicy of(List<Endpoint> peers) {
    Set<String> blocks = new LinkedHashSet<>();
    for (Endpoint peer : peers) {
      if (!(peer.isTcp() || peer.isTls())) {
        continue; // no host to match (Unix sockets, other transports' schemes)
      }
      try {
        for (InetAddress address : InetAddress.getAllByName(peer.host())) {
          blocks.add(address.getHostAddress() + (address.getAddress().length == 4 ? "/32" : "/128"));
        }
      } catch (UnknownHostException | SecurityException e) {
        LOG.warn("peer {}: its host does not resolve ({}); it gets no reserved connection on the peer port",
            peer, e.getMessage());
      }
    }
    if (blocks.isEmpty()) {
      return (remote, credentials) -> java.util.Optional.of("no configured peer has an address");
    }
    return AccessPolicy.cidrs(new ArrayList<>(blocks));
  }
}
