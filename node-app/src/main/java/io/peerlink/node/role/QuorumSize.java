package io.peerlink.node.role;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.CommitteeFile;
import io.peerlink.transport.api.Endpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The f the node's quorum policy works with, and the one line at start that says which it is and
 * where it came from. An explicit {@code discovery.quorum_f} wins; else, with
 * {@code committee_path} set, the committee's own f ({@code (size-1)/3}): the committee, not the
 * peer list an operator happened to write, is what a BFT network tolerates; else
 * {@code (n-1)/3} with n the configured peers and the node. A committee file that cannot be read
 * is named in a warning and the peer count is used.
 */
public final class QuorumSize {

  private static final Logger LOG = LoggerFactory.getLogger(QuorumSize.class);

  private QuorumSize() {
  }

  /** The discovery options with the f in effect, logged once. */
  public static DiscoveryOptions discoveryOptions(NodeConfig config) {
    DiscoveryOptions options = config.discovery();
    SelectionPolicy policy = options.selectionPolicy();
    int peers = peerCount(config);
    if (!policy.isQuorum()) {
      LOG.info("node {}: discovery.policy = highest: the tip is the highest claim of any peer; catch-up takes blocks"
          + " only up to a hash {} peer(s) return alike", config.nodeId(), policy.confirmations(peers));
      return options;
    }
    if (policy.configuredF().isPresent()) {
      return logged(config, options, policy.configuredF().getAsInt(), "discovery.quorum_f");
    }
    Optional<Path> committee = config.master().committeePath();
    if (committee.isPresent()) {
      try {
        int size = new CommitteeFile(committee.get()).read().size();
        int f = SelectionPolicy.faultToleranceOf(size);
        return logged(config, options.toBuilder().selectionPolicy(SelectionPolicy.quorum(f)).build(), f,
            "the committee of " + size + " in committee_path = " + committee.get());
      } catch (IOException e) {
        LOG.warn("node {}: f cannot come from the committee: {}; counting the configured peers and this node instead"
            + " (set discovery.quorum_f to fix f)", config.nodeId(), e.getMessage());
      }
    }
    return logged(config, options, policy.faultTolerance(peers),
        "(n-1)/3 with n = " + (peers + 1) + ": " + peers + " configured peers and this node");
  }

  private static DiscoveryOptions logged(NodeConfig config, DiscoveryOptions options, int f, String source) {
    LOG.info("node {}: discovery.policy = quorum with f = {} ({}): a tip needs {} peers, a block hash {} peers alike",
        config.nodeId(), f, source, f + 1, f + 1);
    return options;
  }

  /** The peers discovery asks: configured once each, the node's own master left out. */
  private static int peerCount(NodeConfig config) {
    Set<Endpoint> unique = new LinkedHashSet<>(config.peers());
    unique.remove(config.localMaster());
    return unique.size();
  }
}
