package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;

/**
 * Stored blocks of a range, located in their segments: lengths from the segments' indexes, each
 * block added to a {@code get_blocks_range} answer's frame as the range of its segment file that
 * holds it ({@link #addTo}), or read into a caller's array. Holds the segments' read lock from
 * {@link ChainSegments#range} until closed, so retention cannot delete a segment between sizing
 * the answer and laying it out; closed by the thread that opened it.
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
  /** The frame {@link #channels} were handed to, and the segments' channels it holds. */
  private OutgoingFrame.Builder heldFor;
  private final Map<Segment, SharedReadChannel> channels = new IdentityHashMap<>();

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
    checkOpen();
    segments[index].read(first + index, target, offset);
  }

  /**
   * Adds block {@code index} as the range of its segment file that {@link #read} would read: the
   * same bytes, not read here. The frame holds the segment's read channel (once per segment per
   * frame) and lets go of it when closed, after it was sent: the frame outlives this range and its
   * read lock, so retention may delete the file meanwhile, and on Linux an open file stays readable
   * after its name is deleted, so the answer still sends the bytes it was built from. The channel is
   * the segment's shared one, not one opened per answer, whose close would drop the segment's
   * writer lock ({@link SharedReadChannel}).
   */
  @Override
  public void addTo(OutgoingFrame.Builder frame, int index) throws IOException {
    checkOpen();
    if (frame != heldFor) {
      channels.clear();
      heldFor = frame;
    }
    Segment segment = segments[index];
    SharedReadChannel reader = channels.get(segment);
    if (reader == null) {
      reader = segment.holdReader(); // under the read lock: the segment is open
      frame.closing(reader::release);
      channels.put(segment, reader);
    }
    frame.file(reader.channel(), segment.position(first + index), lengths[index]);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("blocks of a closed range are read");
    }
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
