package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.EncodedBlocks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Stored blocks of a range, located in their segments: lengths from the segments' indexes, bytes
 * read from the files straight into the caller's array (a {@code get_blocks_range} answer at the
 * block's place). Holds the segments' read lock from {@link ChainSegments#range} until closed, so
 * retention cannot delete a segment between sizing the answer and reading into it; closed by the
 * thread that opened it.
 *
 * <p>No CRC is checked here, as none was when blocks were read into arrays of their own: each
 * record's CRC32C is checked when the log is opened ({@link Segment#scan}), and a block's chain
 * links when it was taken.
 */
final class SegmentRange implements EncodedBlocks {

  private final Lock held;
  private final long first;
  private final Segment[] segments; // of each block
  private final int[] lengths; // of each block
  private boolean closed;

  SegmentRange(Lock held, long first, Segment[] segments, int[] lengths) {
    this.held = held;
    this.first = first;
    this.segments = segments;
    this.lengths = lengths;
  }

  @Override
  public int count() {
    return lengths.length;
  }

  @Override
  public int length(int index) {
    return lengths[index];
  }

  @Override
  public void read(int index, byte[] target, int offset) throws IOException {
    if (closed) {
      throw new IllegalStateException("blocks of a closed range are read");
    }
    segments[index].read(first + index, target, offset);
  }

  /** Each block in an array of its own. */
  List<byte[]> arrays() throws IOException {
    List<byte[]> blocks = new ArrayList<>(lengths.length);
    for (int i = 0; i < lengths.length; i++) {
      byte[] block = new byte[lengths[i]];
      read(i, block, 0);
      blocks.add(block);
    }
    return blocks;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      held.unlock();
    }
  }
}
