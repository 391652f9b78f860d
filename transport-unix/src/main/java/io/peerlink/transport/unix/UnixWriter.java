package io.peerlink.transport.unix;

import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A connection's writes, and the only owner of its queue of frames waiting for room in the socket.
 *
 * <p>{@link #send} never blocks its caller: callers (such as {@code RequestClient}, which may send
 * while holding the lock its response handler needs) write directly to the socket in non-blocking
 * mode, and only when the kernel buffer is full is the rest queued, to be written when there is
 * room. A blocking send would deadlock there as soon as the peer's replies filled the buffer. A
 * thread hop per message (a writer thread) would cost about 2-3x the round trip.
 *
 * <p>Who writes what is queued, a three-way hand-off under {@code lock}: the reader thread, when
 * it waits in its selector ({@link #flushWanted}), or after a burst ({@link #writeBurst}); the
 * transport's {@link WriteFlusher}, when the reader is inside a blocking read that only bytes from
 * the peer would end ({@link #flushQueued}). The socket's blocking mode is shared by all threads,
 * so it changes under the same lock: the reader makes it blocking just before its read
 * ({@link #enterBlockingRead}), and a send makes it non-blocking again before it writes (a read
 * already waiting stays blocking: the kernel decides that when the read starts).
 *
 * <p>Answers to a burst (several whole frames from one read) go out together: while the reader
 * hands a burst on ({@link #cork}), sends queue, and when it ends the reader writes them with one
 * system call (junixsocket's gathering write writes only its first buffer, so they are copied into
 * one). This is what transport-tcp gets from flushing once per read burst.
 */
final class UnixWriter {

  /** Queued frames up to this many bytes in all are copied together and written with one system call. */
  private static final int WRITE_BATCH = 16 * 1024;

  private final UnixConnection connection;
  private final AFUNIXSocketChannel channel;
  private final WriteFlusher flusher;
  private final Object lock = new Object();
  private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>(); // guarded by lock
  private boolean flushWanted; // guarded by lock: the reader thread must flush the queue
  private boolean flusherOwns; // guarded by lock: the WriteFlusher flushes the queue
  private boolean readerBlocking; // guarded by lock: the reader is in (or entering) a blocking read
  private boolean corked; // guarded by lock: the reader hands on a burst; sends queue until it ends
  private ByteBuffer batch; // guarded by lock: queued frames copied together for one write; made when first needed

  UnixWriter(UnixConnection connection, AFUNIXSocketChannel channel, WriteFlusher flusher) {
    this.connection = connection;
    this.channel = channel;
    this.flusher = flusher;
  }

  /** Writes a frame (header included) now, as far as the socket takes it, or queues it. */
  CompletableFuture<Void> send(ByteBuffer wire) {
    CompletableFuture<Void> later;
    boolean wake = false;
    boolean handOver = false;
    synchronized (lock) {
      if (connection.isClosed()) {
        return CompletableFuture.failedFuture(connection.closedError("cannot send"));
      }
      if (pending.isEmpty() && !corked) {
        try {
          if (channel.isBlocking()) {
            channel.configureBlocking(false); // the reader's blocking read, if one waits, stays blocking
          }
          channel.write(wire);
        } catch (IOException e) {
          TransportException failure = writeFailure(e);
          connection.closeWith(failure); // part of the frame may be on the wire: the stream is unusable
          return CompletableFuture.failedFuture(failure);
        }
        if (!wire.hasRemaining()) {
          connection.frameWritten();
          return CompletableFuture.completedFuture(null);
        }
      }
      later = new CompletableFuture<>();
      boolean first = pending.isEmpty();
      pending.add(new PendingWrite(wire, later));
      if (corked) {
        // The reader writes what the burst queued, together, when it has handed the burst on.
      } else if (first && readerBlocking) {
        handOver = !flusherOwns; // only bytes from the peer would end the reader's read
        flusherOwns = true;
      } else if (!flusherOwns) {
        wake = !flushWanted;
        flushWanted = true;
      }
    }
    if (handOver) {
      flusher.flushWhenWritable(connection);
    } else if (wake) {
      connection.wakeReader(); // the reader thread now watches for room to write
    }
    return later;
  }

  /** Frames waiting for room; they count against the pipelining bound. */
  int queued() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Whether the reader must watch for room to write what is queued. */
  boolean flushWanted() {
    synchronized (lock) {
      return flushWanted;
    }
  }

  /**
   * Makes the socket blocking for the reader's next read, unless something is queued to write:
   * then the reader waits in its selector instead, since a blocking read would not notice room.
   *
   * @param readerKey the reader's selector registration, cancelled here (a socket with a valid
   *     registration cannot be made blocking); may be null
   */
  boolean enterBlockingRead(SelectionKey readerKey) throws IOException {
    synchronized (lock) {
      if (connection.isClosed() || !pending.isEmpty() || flusherOwns) {
        return false;
      }
      if (readerKey != null) {
        readerKey.cancel();
      }
      if (!channel.isBlocking()) {
        channel.configureBlocking(true);
      }
      readerBlocking = true;
      return true;
    }
  }

  void leaveBlockingRead() {
    synchronized (lock) {
      readerBlocking = false;
    }
  }

  /** Makes the socket non-blocking, for the reader's selector. */
  void nonBlocking() throws IOException {
    synchronized (lock) {
      if (channel.isBlocking()) {
        channel.configureBlocking(false);
      }
    }
  }

  /** From now until {@link #writeBurst}, sends queue: the reader writes them together. */
  void cork() {
    synchronized (lock) {
      corked = true;
    }
  }

  /**
   * Writes what a burst's sends queued, as far as the socket takes it; the reader's selector or
   * the flusher writes the rest when there is room.
   *
   * @param stayCorked whether the burst goes on (it reached the pipelining bound midway)
   */
  void writeBurst(boolean stayCorked) {
    List<CompletableFuture<Void>> written;
    IOException failure;
    synchronized (lock) {
      corked = stayCorked;
      if (pending.isEmpty() || connection.isClosed() || flusherOwns) { // the flusher writes when there is room
        return;
      }
      written = new ArrayList<>();
      failure = writeQueued(written);
      if (!pending.isEmpty()) {
        flushWanted = true; // the reader waits for room before it reads again
      }
    }
    completeWrites(written, failure);
  }

  /** Writes what is queued, as far as the socket takes it; on the reader thread. */
  void flush() {
    List<CompletableFuture<Void>> written = new ArrayList<>();
    IOException failure;
    synchronized (lock) {
      failure = writeQueued(written);
      if (pending.isEmpty()) {
        flushWanted = false;
      }
    }
    completeWrites(written, failure);
  }

  /**
   * Writes what is queued, as far as the socket takes it; on the {@link WriteFlusher}'s thread,
   * which cancels its {@code flusherKey} registration once nothing is left.
   */
  void flushQueued(SelectionKey flusherKey) {
    List<CompletableFuture<Void>> written = new ArrayList<>();
    IOException failure = null;
    synchronized (lock) {
      if (flusherOwns && !connection.isClosed()) {
        failure = writeQueued(written);
      }
      if (pending.isEmpty() || failure != null || connection.isClosed()) {
        flusherKey.cancel(); // before the reader may make the socket blocking again
        flusherOwns = false;
      }
    }
    completeWrites(written, failure);
  }

  /**
   * Under lock: writes queued frames until the socket is full; returns the failure, if any. Small
   * frames go out together, copied into one buffer: one system call for a burst of answers rather
   * than one each (junixsocket's gathering write writes only the first buffer).
   */
  private IOException writeQueued(List<CompletableFuture<Void>> written) {
    try {
      if (channel.isBlocking()) {
        channel.configureBlocking(false); // left blocking by the reader's last read
      }
      while (!pending.isEmpty()) {
        PendingWrite head = pending.peek();
        boolean full;
        if (pending.size() > 1 && head.bytes.remaining() <= WRITE_BATCH) {
          ByteBuffer out = gatherQueued();
          int n = channel.write(out);
          full = out.hasRemaining();
          for (PendingWrite w : pending) { // move each frame on by what of it went out
            int part = Math.min(n, w.bytes.remaining());
            w.bytes.position(w.bytes.position() + part);
            n -= part;
            if (n == 0) {
              break;
            }
          }
        } else {
          channel.write(head.bytes);
          full = head.bytes.hasRemaining();
        }
        while (!pending.isEmpty() && !pending.peek().bytes.hasRemaining()) {
          written.add(pending.poll().done);
        }
        if (full) {
          return null;
        }
      }
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /** Under lock: the queued frames' bytes, as many whole frames as fit the batch buffer (the first always fits). */
  private ByteBuffer gatherQueued() {
    if (batch == null) {
      batch = ByteBuffer.allocate(WRITE_BATCH);
    }
    batch.clear();
    for (PendingWrite w : pending) {
      if (w.bytes.remaining() > batch.remaining()) {
        break;
      }
      batch.put(w.bytes.duplicate());
    }
    return batch.flip();
  }

  private void completeWrites(List<CompletableFuture<Void>> written, IOException failure) {
    written.forEach(f -> {
      connection.frameWritten();
      f.complete(null); // outside the lock: dependents may send
    });
    if (failure != null) {
      connection.closeWith(writeFailure(failure));
    }
  }

  /** Fails what is still queued: the connection has closed. */
  void failQueued() {
    List<PendingWrite> unsent;
    synchronized (lock) {
      unsent = new ArrayList<>(pending);
      pending.clear();
      flushWanted = false;
      flusherOwns = false;
    }
    if (!unsent.isEmpty()) {
      TransportException e = connection.closedError("the connection closed before the frame was sent");
      unsent.forEach(w -> w.done.completeExceptionally(e));
    }
  }

  private TransportException writeFailure(IOException e) {
    return connection.isClosed()
        ? new TransportException(connection.remote(), Kind.CLOSED, "the connection was closed while sending", e)
        : new TransportException(connection.remote(), Kind.CLOSED, "the connection broke while sending: "
            + UnixSockets.describe(e), e);
  }

  /** A frame, or its rest, waiting for room in the socket buffer. */
  private static final class PendingWrite {
    final ByteBuffer bytes;
    final CompletableFuture<Void> done;

    PendingWrite(ByteBuffer bytes, CompletableFuture<Void> done) {
      this.bytes = bytes;
      this.done = done;
    }
  }
}
