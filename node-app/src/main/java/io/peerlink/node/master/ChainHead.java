package io.peerlink.node.master;

/**
 * The chain's tip as readers see it: swapped whole (a volatile field), so the status queries never
 * lock or touch the disk. Published only after the record behind it is durable.
 *
 * @param lastBlock the last block number (0: none)
 * @param lastHash the last block's hash, the next block's parent ({@link BlockHashes#GENESIS_PARENT}
 *     when there is none); never modified, not copied
 * @param mark the epoch, its start and the boundary block
 */
record ChainHead(long lastBlock, byte[] lastHash, EpochMark mark) {
  ChainHead withMark(EpochMark newMark) {
    return new ChainHead(lastBlock, lastHash, newMark);
  }
}
