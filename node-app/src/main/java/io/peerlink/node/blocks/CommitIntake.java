package io.peerlink.node.blocks;

import io.peerlink.node.master.Commit;
import io.peerlink.node.master.IntakeOutcome;
import java.util.concurrent.CompletionStage;

/** Where the master's block channel delivers commits, in the order they arrived. */
@FunctionalInterface
public interface CommitIntake {

  /**
   * Takes one commit without waiting for the disk: stages it to be applied (with any buffered
   * successors), buffers it when it comes after a gap, or ignores it when it repeats. Commits
   * taken back to back are made durable together (group commit).
   *
   * @param commit a {@code CommittedEpochData} or, when the node sends G3's, an {@code ExecutableBlock}
   * @return completes with the outcome once it is decided: {@link IntakeOutcome#APPLIED} only once
   *     the commit is durable; exceptionally when it was never written
   * @throws Exception when the commit cannot be taken; it is logged and the channel goes on
   */
  CompletionStage<IntakeOutcome> accept(Commit commit) throws Exception;
}
