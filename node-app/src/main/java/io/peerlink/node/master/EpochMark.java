package io.peerlink.node.master;

/**
 * The epoch facts a master keeps beside its blocks: the current epoch, when it started, and the
 * block that closed the previous epoch. Every log record carries the mark in force after it, so
 * the newest record alone restores it on open (old segments may be gone to retention).
 *
 * @param epoch the current epoch (uint64 carried in a long)
 * @param epochStartMs the start of the current epoch, ms since the Unix epoch
 * @param boundaryBlock the last block of the previous epoch, as given by advance_epoch or derived
 */
record EpochMark(long epoch, long epochStartMs, long boundaryBlock) {
  /** The mark of an empty store: epoch 0, no start, no boundary. */
  static final EpochMark INITIAL = new EpochMark(0, 0, 0);
}
