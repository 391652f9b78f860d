package io.peerlink.node.master;

/**
 * What opening the store had to repair: nothing, or a torn tail cut off (bytes discarded, and
 * which file and why). Kept so that start-up can report it and tests can check it.
 *
 * @param discardedBytes bytes cut from the log's tail, or a discarded half-created segment
 * @param detail what was found and where; empty when the log was clean
 */
record RecoveryReport(long discardedBytes, String detail) {
  static final RecoveryReport CLEAN = new RecoveryReport(0, "");

  boolean repaired() {
    return !detail.isEmpty();
  }
}
