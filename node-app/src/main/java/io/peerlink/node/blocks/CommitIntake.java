package io.peerlink.node.blocks;

import io.peerlink.discovery.core.protocol.CommittedEpochData;

/** Where the master's block channel delivers commits, in the order they arrived. */
@FunctionalInterface
public interface CommitIntake {

  /**
   * Applies one commit (or buffers it, when it comes after a gap; or ignores it, when it repeats).
   *
   * @throws Exception when the commit cannot be applied; it is logged and the channel goes on
   */
  void accept(CommittedEpochData commit) throws Exception;
}
