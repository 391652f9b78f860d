package io.peerlink.node.master;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The reading side of one segment file: a read-only channel that the segment's reads share with
 * the answers sending ranges of the file ({@link SharedReadChannel}), apart from the writer's, and
 * reopened when an interrupt closed it. Interrupting a thread inside a {@link FileChannel}
 * operation closes the channel (NIO's interruptible channels): an interrupted peer query must not
 * close the file under the writer or other readers. Closing any descriptor of the file drops the
 * segment's writer lock (POSIX), so a reopen takes it again ({@code relock}).
 */
final class SegmentReader {

  /** Takes the segment's writer lock again after a descriptor of its file was closed. */
  interface Relock {
    void relock() throws IOException;
  }

  private final Path path;
  private final Relock relock;
  private volatile SharedReadChannel channel;
  private volatile boolean closed;

  SegmentReader(Path path, Relock relock) throws IOException {
    this.path = path;
    this.relock = relock;
    this.channel = open(path);
  }

  private static SharedReadChannel open(Path path) throws IOException {
    return new SharedReadChannel(FileChannel.open(path, StandardOpenOption.READ));
  }

  /** Reads {@code target}'s remaining bytes from {@code position}: block {@code number}'s, for messages. */
  void read(long number, ByteBuffer target, long position) throws IOException {
    for (int attempt = 1; ; attempt++) {
      SharedReadChannel reader = channel;
      try {
        Segment.readFully(reader.channel(), target, position);
        return;
      } catch (ClosedByInterruptException e) {
        reopen(reader);
        InterruptedIOException interrupted = new InterruptedIOException("read of block "
            + Long.toUnsignedString(number) + " from " + path + " interrupted");
        interrupted.initCause(e);
        Thread.currentThread().interrupt();
        throw interrupted;
      } catch (ClosedChannelException e) {
        // Another reader's interrupt closed the shared channel under us (AsynchronousCloseException),
        // or it was closed earlier: reopen and retry, unless the segment itself is closed.
        if (closed || attempt == 3) {
          throw e;
        }
        reopen(reader);
      }
    }
  }

  /**
   * The shared channel, held for an answer that sends ranges of the file after the store's read
   * lock is given back: the caller must {@link SharedReadChannel#release} it once. Neither the
   * segment's close (pruning, the store closing) nor the answer's closes it under another holder.
   *
   * @throws ClosedChannelException when the segment is closed
   */
  synchronized SharedReadChannel hold() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    SharedReadChannel reader = channel;
    if (!reader.channel().isOpen()) {
      reopen(reader); // an interrupt (of a reader, or of a thread sending an answer) closed it
      reader = channel;
    }
    if (!reader.hold()) {
      throw new IllegalStateException("the read channel of open segment " + path + " was let go of");
    }
    return reader;
  }

  private synchronized void reopen(SharedReadChannel broken) throws IOException {
    if (!closed && channel == broken) {
      channel = open(path);
      broken.release(); // closed already; answers still holding it fail and let go of it too
      relock.relock(); // closing the broken channel dropped the writer's lock (POSIX)
    }
  }

  /** Lets go of the channel: closed now, or once the last answer holding it is done. */
  synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      channel.release();
    }
  }
}
