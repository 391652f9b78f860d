package io.peerlink.transport.unix;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import io.peerlink.transport.api.support.ConnectionDeadlines;
import io.peerlink.transport.api.support.FrameDecoder;
import io.peerlink.transport.api.support.PipelineBound;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A connection's reader thread: it reads, cuts frames ({@link FrameDecoder}), hands them to the
 * handler, and applies the shared policies, the {@link PipelineBound} and the
 * {@link ConnectionDeadlines} of an accepted connection's {@link ListenerLimits}.
 *
 * <p>It waits for bytes in a <em>blocking</em> read whenever it can: nothing is queued to write
 * and reading is not paused. Waiting in a selector and then reading costs about 10 us more per
 * message on a VM (integration-tests/BENCHMARKS.md), a third of a round trip. The
 * {@link UnixWriter} switches the socket's mode with it. While anything is queued, or reading is
 * paused, it waits in its selector instead, for the nearest deadline: the idle timeout (from the
 * last byte read or written) and the partial-frame timeout (from the first byte of a frame still
 * incomplete). At the pipelining bound it stops reading (the kernel buffer then fills and the
 * peer's writes block) until sends complete.
 */
final class UnixReader {

  private static final System.Logger LOG = System.getLogger(UnixReader.class.getName());

  /** Large enough that a typical status frame is one read; larger frames get their own array. */
  private static final int READ_BUFFER = 32 * 1024;

  private final UnixConnection connection;
  private final UnixWriter writer;
  private final AFUNIXSocket socket;
  private final AFUNIXSocketChannel channel;
  private final Selector selector; // this connection's only
  private final FrameDecoder decoder;
  private final PipelineBound bound;
  private final ConnectionDeadlines deadlines;
  private SelectionKey key; // the registration; null or cancelled while it reads blocking
  private volatile boolean readingPaused; // at the pipelining bound: a completed send wakes the reader
  private int receiveTimeoutMillis; // SO_RCVTIMEO as set on the socket; 0 for none
  private boolean idleCheckEarly; // a receive timeout found the idle deadline moved on

  /**
   * @param limits an accepted connection's listener limits; null for a dialled connection
   * @throws IOException when no selector can be opened
   */
  UnixReader(UnixConnection connection, UnixWriter writer, AFUNIXSocket socket, AFUNIXSocketChannel channel,
      FrameFormat format, int maxFrameLength, ListenerLimits limits) throws IOException {
    this.connection = connection;
    this.writer = writer;
    this.socket = socket;
    this.channel = channel;
    this.decoder = new FrameDecoder(format, maxFrameLength);
    this.bound = limits == null ? PipelineBound.none() : PipelineBound.of(limits);
    this.deadlines = limits == null ? ConnectionDeadlines.none() : ConnectionDeadlines.of(limits);
    this.selector = AFUNIXSelectorProvider.provider().openSelector();
  }

  /** Wakes the thread from its selector: the connection closed, or there is something to write. */
  void wakeup() {
    selector.wakeup();
  }

  /** Releases the selector and its registration; when the thread ends, or it never started. */
  void release() {
    if (key != null) {
      key.cancel();
    }
    UnixSockets.closeQuietly(selector);
  }

  /** A frame was written whole: it may answer a pending frame, and it is traffic. */
  void frameWritten() {
    if (!bound.isBounded()) {
      return;
    }
    deadlines.traffic(System.nanoTime());
    bound.answered();
    if (readingPaused) {
      selector.wakeup(); // the reader may resume
    }
  }

  /** Reads and dispatches until the connection ends; returns why, or null for an orderly end. */
  Throwable readFrames(FrameHandler h) {
    ByteBuffer in = ByteBuffer.allocate(READ_BUFFER); // in write mode between iterations
    boolean moreToRead = false;
    boolean endOrTimeout = false; // a blocking read returned -1: the selector tells which
    boolean paused = false;
    long lastReadNanos = System.nanoTime();
    long partialSinceNanos = 0;
    boolean partialPending = false; // a frame is begun and not finished
    while (!connection.isClosed()) {
      // Hand on the whole frames buffered, as far as the pipelining bound allows.
      boolean wasPaused = paused;
      boolean delivered = false;
      boolean burst = false;
      in.flip();
      try {
        byte[] frame;
        while (!connection.isClosed() && !(paused = pausedAtBound(burst)) && (frame = decoder.next(in)) != null) {
          delivered = true;
          if (!burst && in.hasRemaining()) {
            burst = true; // more requests came in the same read: their answers go out in one write
            writer.cork();
          }
          bound.delivered();
          try {
            h.onFrame(connection, frame);
          } catch (Exception e) {
            connection.handlerFailed("the frame handler threw " + e, e);
            return e;
          }
        }
      } catch (FrameFormatException e) {
        connection.badFrame(e);
        return connection.closeCause();
      } finally {
        if (burst) {
          writer.writeBurst(false); // also before a close for a throwing handler: the answers it gave still go out
        }
      }
      in.compact();
      if (connection.isClosed()) {
        return null;
      }
      if (paused && (!wasPaused || delivered)) { // delivering means reading had resumed
        connection.counters().readPaused();
      }
      readingPaused = paused;
      if (paused && !atPipelineBound()) {
        continue; // a send completed before the flag was up, so it woke nobody: look again
      }
      // When did the frame that is still incomplete begin? With the read that brought its first
      // byte; a pause is our doing, so the clock restarts when reading resumes.
      if (!decoder.isInsideFrame(in)) {
        partialPending = false;
      } else if (wasPaused && !paused) {
        partialPending = true;
        partialSinceNanos = System.nanoTime();
      } else if (!partialPending || delivered) {
        partialPending = true;
        partialSinceNanos = lastReadNanos;
      }
      boolean checkPartial = partialPending && !paused;
      // After handing on frames, time went by in the handler: the rest may be waiting to be read,
      // so the deadline is checked only after looking (below).
      if (checkPartial && !delivered && deadlines.partialExpired(partialSinceNanos, System.nanoTime())) {
        return closedForPartialFrame();
      }
      try {
        if (!paused && !endOrTimeout && writer.enterBlockingRead(key)) {
          int n;
          try {
            setReceiveTimeout(checkPartial, partialSinceNanos);
            n = channel.read(in);
          } finally {
            writer.leaveBlockingRead();
          }
          if (n > 0) {
            lastReadNanos = System.nanoTime();
            deadlines.traffic(lastReadNanos);
            idleCheckEarly = false;
          }
          // 0: a send made the socket non-blocking just before the read began; look again.
          // -1: junixsocket reports both the end of the stream and the receive timeout so.
          endOrTimeout = n < 0;
          continue;
        }
        boolean readable = false;
        register();
        if (paused || !moreToRead || endOrTimeout) {
          if (paused && !atPipelineBound()) {
            continue; // registering may have swallowed the wakeup of a send that completed
          }
          boolean flush = writer.flushWanted();
          int ops = (paused ? 0 : SelectionKey.OP_READ) | (flush ? SelectionKey.OP_WRITE : 0);
          if (key.interestOps() != ops) {
            key.interestOps(ops);
          }
          boolean afterBlockingRead = endOrTimeout;
          endOrTimeout = false;
          long timeout = afterBlockingRead ? 0
              : deadlines.millisToNearest(checkPartial, partialSinceNanos, System.nanoTime());
          int ready = timeout < 0 ? selector.select() : timeout == 0 ? selector.selectNow() : selector.select(timeout);
          if (ready > 0) {
            readable = key.isValid() && key.isReadable();
          }
          selector.selectedKeys().clear();
          if (connection.isClosed()) {
            return null;
          }
          if (flush) {
            writer.flush();
          }
          long now = System.nanoTime();
          if (checkPartial && deadlines.partialExpired(partialSinceNanos, now)) {
            return closedForPartialFrame();
          }
          if (!readable && deadlines.idleExpired(now)) {
            return closedForIdle();
          }
          if (afterBlockingRead && !readable) {
            idleCheckEarly = true; // the receive timeout ran out before the idle deadline, moved on by sends
          }
          if (paused && key.isValid()) {
            continue; // not reading: wait for sends to complete
          }
        }
        if (key == null || !key.isValid()) {
          // junixsocket cancels the key of a socket that hung up (POLLHUP), and selecting again
          // would wait forever: the reads from here on drain what is left, then see the end.
          readable = true;
        }
        // Read even when woken for other reasons: a non-blocking read costs little, and it is
        // the read, not the selector, that reports a reset.
        int n = channel.read(in);
        // junixsocket's non-blocking read returns 0, not -1, at the end of the stream: readable
        // yet empty is the end (this thread is the only reader).
        if (n < 0 || n == 0 && readable) {
          return decoder.isInsideFrame(in)
              ? new TransportException(connection.remote(), Kind.CLOSED,
                  "the peer closed the connection in the middle of a frame")
              : null;
        }
        moreToRead = !in.hasRemaining(); // the buffer filled up: more may be waiting
        if (n > 0) {
          lastReadNanos = System.nanoTime();
          deadlines.traffic(lastReadNanos);
          idleCheckEarly = false;
        }
      } catch (IOException e) {
        if (connection.isClosed()) {
          return null;
        }
        LOG.log(Level.DEBUG, () -> "the connection to " + connection.remote() + " broke: " + e);
        return new TransportException(connection.remote(), Kind.CLOSED, "the connection broke: "
            + UnixSockets.describe(e), e);
      }
    }
    return null;
  }

  /** Whether the handler has as many unanswered frames, or the socket as many queued sends, as allowed. */
  private boolean atPipelineBound() {
    return bound.reached() || bound.isBounded() && bound.reachedWith(writer.queued());
  }

  /**
   * Whether reading must pause at the pipelining bound. In a burst, its queued answers are
   * written first: they may be all that holds the connection at the bound.
   */
  private boolean pausedAtBound(boolean burst) {
    if (!atPipelineBound()) {
      return false;
    }
    if (!burst) {
      return true;
    }
    writer.writeBurst(true);
    return atPipelineBound();
  }

  private Throwable closedForIdle() {
    connection.counters().closedIdle();
    TransportException e = deadlines.idleError(connection.remote());
    LOG.log(Level.DEBUG, e::getMessage);
    return e;
  }

  private Throwable closedForPartialFrame() {
    connection.counters().closedPartialFrame();
    TransportException e = deadlines.partialFrameError(connection.remote());
    LOG.log(Level.DEBUG, e::getMessage);
    return e;
  }

  /** Sets SO_RCVTIMEO to the nearest deadline, touching the socket only when that changes. */
  private void setReceiveTimeout(boolean checkPartial, long partialSinceNanos) throws IOException {
    int millis = receiveTimeoutMillis(checkPartial, partialSinceNanos);
    if (millis != receiveTimeoutMillis) {
      socket.setSoTimeout(millis);
      receiveTimeoutMillis = millis;
    }
  }

  /**
   * The receive timeout for the next blocking read; 0 for none. Usually the whole idle timeout,
   * which stays the same from read to read (each read is traffic, so its deadline is at least that
   * far); the exact time left only while a frame is incomplete or when sends moved the deadline.
   */
  private int receiveTimeoutMillis(boolean checkPartial, long partialSinceNanos) {
    boolean partial = checkPartial && deadlines.checksPartialFrames();
    if (!partial && !idleCheckEarly) {
      return (int) Math.min(deadlines.idleTimeoutMillis(), Integer.MAX_VALUE);
    }
    long left = deadlines.millisToNearest(checkPartial, partialSinceNanos, System.nanoTime());
    return left < 0 ? 0 : (int) Math.max(1, Math.min(left, Integer.MAX_VALUE));
  }

  /** Makes the socket non-blocking and registers it with the selector, if not yet. */
  private void register() throws IOException {
    writer.nonBlocking();
    if (key == null || !key.isValid()) {
      if (key != null) {
        selector.selectNow(); // drops the cancelled registration, which would refuse a new one
      }
      key = channel.register(selector, SelectionKey.OP_READ);
    }
  }
}
