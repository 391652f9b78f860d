package io.peerlink.node.blocks;

import io.peerlink.node.master.Commit;

/** Where the master's block channel delivers commits, in the order they arrived. */
@FunctionalInterface
public interface CommitIntake {

  /**
   * Applies one commit (or buffers it, when it comes after a gap; or ignores it, when it repeats).
   *
   * @param commit a {@code CommittedEpochData} or, when the node sends G3's, an {@code ExecutableBlock}
   * @throws Exception when the commit cannot be applied; it is logged and the channel goes on
   */
  void accept(Commit commit) throws Exception;
}
