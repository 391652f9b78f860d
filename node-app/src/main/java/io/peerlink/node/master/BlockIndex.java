package io.peerlink.node.master;

import java.util.Arrays;

/**
 * Where each block of one segment lies in its file: the byte offset and length of block
 * {@code baseBlock + 1 + i} at slot {@code i}. Primitive arrays, grown by doubling, so indexing
 * a block costs no allocation on the append path. Not thread-safe: guarded with its segment's
 * other mutable state ({@link ChainSegments}' lock).
 */
final class BlockIndex {
  private long[] positions = new long[64];
  private int[] lengths = new int[64];
  private int count;

  /** Records the next block's place. */
  void add(long position, int length) {
    if (count == positions.length) {
      positions = Arrays.copyOf(positions, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
    }
    positions[count] = position;
    lengths[count] = length;
    count++;
  }

  /** The file offset of the block at {@code slot}. */
  long position(int slot) {
    return positions[slot];
  }

  /** The byte length of the block at {@code slot}. */
  int length(int slot) {
    return lengths[slot];
  }

  /** How many blocks are indexed. */
  int count() {
    return count;
  }
}
