package io.peerlink.node.master;

/** What {@link ChainState#apply} did with one commit from the block channel. */
public enum IntakeOutcome {
  /** Applied, durably: it was the next commit (and any buffered successors were applied too). */
  APPLIED,
  /** Held: it comes after a gap; it is applied once the missing commit arrives. */
  BUFFERED,
  /** Ignored: at or below the last block, or already buffered. */
  REPEAT,
  /** Refused, with an error logged naming its index: the gap buffer is full. */
  REFUSED
}
