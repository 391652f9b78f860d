package io.peerlink.node.config;

import java.util.Locale;

/** How the network tip is chosen from the peers' answers ({@code discovery.policy}). */
public enum SelectionPolicy {
  /** The highest (epoch, block) any peer claims: the seed's rule. */
  HIGHEST,
  /** The highest (epoch, block) that at least f+1 answering peers have reached. */
  QUORUM;

  /** The name as written in the config. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
