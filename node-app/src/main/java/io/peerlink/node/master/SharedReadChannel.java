package io.peerlink.node.master;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A segment file's read-only channel, shared by the segment's reads and by the answers being sent
 * from it, and closed when the last holder lets go: the segment holds it from open to close, each
 * answer frame with ranges of the file from when it is built until it is sent (or dropped).
 *
 * <p>Why one shared channel rather than one per answer: POSIX drops all of a process's record locks
 * on a file when any descriptor of it is closed, so closing a channel opened for one answer would
 * drop the segment's exclusive writer lock ({@link Segment}) that keeps a second master out. This
 * channel is closed only once the segment itself is closed (pruned, or the store closed), when
 * the lock goes anyway; an answer still holding it then reads on from the open file, which Linux
 * keeps readable after retention deleted its name. (Its close then would drop the lock of a store
 * reopened on the same files in the same process meanwhile; a master closes its store only to
 * exit.) An interrupt that closes the channel drops the lock too: {@link SegmentReader} reopens
 * the channel and takes the lock again at the next read or answer.
 */
final class SharedReadChannel {

  private final FileChannel channel;
  private int holders = 1; // guarded by this; the segment's own hold first

  SharedReadChannel(FileChannel channel) {
    this.channel = channel;
  }

  FileChannel channel() {
    return channel;
  }

  /** One more holder, which must {@link #release} once; false when all had let go and it is closed. */
  synchronized boolean hold() {
    if (holders == 0) {
      return false;
    }
    holders++;
    return true;
  }

  /** One holder lets go; the last closes the channel. */
  void release() throws IOException {
    synchronized (this) {
      if (holders == 0 || --holders > 0) {
        return;
      }
    }
    channel.close();
  }
}
