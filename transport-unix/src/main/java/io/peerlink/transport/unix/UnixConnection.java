package io.peerlink.transport.unix;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.newsclub.net.unix.BrokenPipeSocketException;
import org.newsclub.net.unix.ConnectionResetSocketException;

/**
 * One Unix socket connection, dialled or accepted, with a reader thread of its own.
 *
 * <p>{@link #send} never blocks its caller: callers (such as {@code RequestClient}, which may send
 * while holding the lock its response handler needs) write directly to the socket in non-blocking
 * mode, and only when the kernel buffer is full is the rest queued, to be written when there is
 * room. A blocking send would deadlock there as soon as the peer's replies filled the buffer. A
 * thread hop per message (a writer thread) would cost about 2-3x the round trip.
 *
 * <p>The reader thread waits for bytes in a <em>blocking</em> read whenever it can: nothing is
 * queued to write and reading is not paused. Waiting in a selector and then reading costs about
 * 10 us more per message on a VM (integration-tests/BENCHMARKS.md), a third of a round trip. The
 * socket's blocking mode is shared by all threads, so it changes under {@code writeLock}: the
 * reader makes it blocking just before its read, and a send makes it non-blocking again before it
 * writes (a read already waiting stays blocking: the kernel decides that when the read starts).
 * A send that leaves bytes queued while the reader is blocked hands them to the transport's
 * {@link WriteFlusher}, since only bytes from the peer would wake the reader. While anything is
 * queued, or reading is paused, the reader waits in its selector instead, as it always did.
 *
 * <p>Answers to a burst (several whole frames from one read) go out together: while the reader
 * hands a burst on, sends queue, and when it ends the reader writes them with one system call
 * (junixsocket's gathering write writes only its first buffer, so they are copied into one). This
 * is what transport-tcp gets from flushing once per read burst; a lone request is written at once.
 *
 * <p>An accepted connection obeys its listener's {@link ListenerLimits}. The selector wait carries
 * the nearest deadline: the idle timeout (measured from the last byte read or written) and the
 * partial-frame timeout (from the first byte of a frame still incomplete). Pipelining is bounded
 * by counting frames handed to the handler whose answers have not been written yet, and frames
 * queued for a full socket buffer: at the bound the reader stops reading (the kernel buffer then
 * fills and the peer's writes block) until sends complete. A peer that never reads thus holds at
 * most {@code maxPipelined} queued answers, and is closed by the idle timeout.
 */
final class UnixConnection implements Connection {

  private static final System.Logger LOG = System.getLogger(UnixConnection.class.getName());

  /** Large enough that a typical status frame is one read; larger frames get their own array. */
  private static final int READ_BUFFER = 32 * 1024;

  /** Queued frames up to this many bytes in all are copied together and written with one system call. */
  private static final int WRITE_BATCH = 16 * 1024;

  private final UnixListener listener; // null for a dialled connection
  private final AFUNIXSocket socket;
  private final AFUNIXSocketChannel channel;
  private final Selector selector; // this connection's only; used by the reader thread
  private SelectionKey key; // the reader thread's registration; null or cancelled while it reads blocking
  private final WriteFlusher flusher;
  private final Endpoint remote;
  private final FrameFormat format;
  private final int maxFrameLength;
  private final ConnectionHandler connectionHandler; // accepted connections: asked for the frame handler
  private final PeerCredentials peerCredentials;
  private final ListenerLimits limits; // accepted connections only; null: no limits
  private final ListenerCounters counters; // accepted connections only

  /** Frames handed to the handler and not yet answered by a completed send. */
  private final AtomicInteger unanswered = new AtomicInteger();
  private volatile boolean readingPaused; // at the pipelining bound: a completed send wakes the reader
  private volatile long lastTrafficNanos; // last byte read, or last send completed

  private final Object writeLock = new Object();
  private final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>(); // guarded by writeLock
  private boolean flushWanted; // guarded by writeLock: the reader thread must flush pendingWrites
  private boolean flusherOwns; // guarded by writeLock: the WriteFlusher flushes pendingWrites
  private boolean readerBlocking; // guarded by writeLock: the reader is in (or entering) a blocking read
  private boolean corked; // guarded by writeLock: the reader hands on a burst of frames; sends queue until it ends
  private ByteBuffer batch; // guarded by writeLock: queued frames copied together for one write; made when first needed
  private int receiveTimeoutMillis; // reader thread: SO_RCVTIMEO as set on the socket; 0 for none
  private boolean idleCheckEarly; // reader thread: a receive timeout found the idle deadline moved on

  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private volatile FrameHandler handler;
  private volatile Throwable closeCause;

  private UnixConnection(WriteFlusher flusher, UnixListener listener, AFUNIXSocket socket,
      PeerCredentials peerCredentials, Endpoint remote, FrameFormat format, int maxFrameLength, FrameHandler handler,
      ConnectionHandler connectionHandler) throws IOException {
    this.flusher = flusher;
    this.listener = listener;
    this.socket = socket;
    this.remote = remote;
    this.format = format;
    this.maxFrameLength = maxFrameLength;
    this.handler = handler;
    this.connectionHandler = connectionHandler;
    this.peerCredentials = peerCredentials;
    this.limits = listener != null ? listener.limits() : null;
    this.counters = listener != null ? listener.counters() : null;
    this.lastTrafficNanos = System.nanoTime();
    Selector s = null;
    try {
      channel = (AFUNIXSocketChannel) socket.getChannel();
      channel.configureBlocking(false);
      s = AFUNIXSelectorProvider.provider().openSelector();
      selector = s;
    } catch (IOException | RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
  }

  /** A connection this process dialled; {@code handler} gets its frames. */
  static UnixConnection dialled(WriteFlusher flusher, AFUNIXSocket socket, Endpoint remote, FrameFormat format,
      int maxFrameLength, FrameHandler handler) throws IOException {
    return new UnixConnection(flusher, null, socket, readPeerCredentials(socket), remote, format, maxFrameLength,
        handler, null);
  }

  /**
   * A connection a listener accepted; its handler is asked for a frame handler first.
   *
   * @param credentials as read at accept, or null when the kernel reported none
   */
  static UnixConnection accepted(UnixListener listener, AFUNIXSocket socket, PeerCredentials credentials,
      FrameFormat format, int maxFrameLength, ConnectionHandler connectionHandler) throws IOException {
    return new UnixConnection(listener.flusher(), listener, socket, credentials, listener.endpoint(), format,
        maxFrameLength, null, connectionHandler);
  }

  UnixListener listener() {
    return listener;
  }

  AFUNIXSocketChannel channel() {
    return channel;
  }

  /** The reader thread's name. */
  String threadName(int id) {
    return "peerlink-unix-conn-" + (listener != null ? "in-" : "out-") + id + "-" + remote.path();
  }

  @Override
  public Endpoint remote() {
    return remote;
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return Optional.ofNullable(peerCredentials);
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    if (frame == null) {
      return CompletableFuture.failedFuture(new NullPointerException("frame"));
    }
    if (frame.length > maxFrameLength) {
      return CompletableFuture.failedFuture(new TransportException(remote, Kind.BAD_FRAME, "a frame of "
          + frame.length + " bytes exceeds the maximum frame length of " + maxFrameLength + " bytes; not sent"));
    }
    ByteBuffer wire = ByteBuffer.wrap(format.encode(frame));
    CompletableFuture<Void> later;
    boolean wake = false;
    boolean handOver = false;
    synchronized (writeLock) {
      if (closed.get()) {
        return CompletableFuture.failedFuture(closedError("cannot send"));
      }
      if (pendingWrites.isEmpty() && !corked) {
        try {
          if (channel.isBlocking()) {
            channel.configureBlocking(false); // the reader's blocking read, if one waits, stays blocking
          }
          channel.write(wire);
        } catch (IOException e) {
          TransportException failure = writeFailure(e);
          closeWith(failure); // part of the frame may be on the wire: the stream is unusable
          return CompletableFuture.failedFuture(failure);
        }
        if (!wire.hasRemaining()) {
          sent();
          return CompletableFuture.completedFuture(null);
        }
      }
      later = new CompletableFuture<>();
      boolean first = pendingWrites.isEmpty();
      pendingWrites.add(new PendingWrite(wire, later));
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
      flusher.flushWhenWritable(this);
    } else if (wake) {
      selector.wakeup(); // the reader thread now watches for room to write
    }
    return later;
  }

  /** A frame was written whole: it may answer a pending frame, and it is traffic. */
  private void sent() {
    if (limits == null) {
      return;
    }
    lastTrafficNanos = System.nanoTime();
    unanswered.getAndUpdate(n -> n > 0 ? n - 1 : 0);
    if (readingPaused) {
      selector.wakeup(); // the reader may resume
    }
  }

  @Override
  public boolean isOpen() {
    return !closed.get();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  @Override
  public void close() {
    closeWith(null);
  }

  /**
   * Marks the connection closed (the first caller's cause is the one reported), shuts the socket
   * down so that the peer sees the end at once, and wakes the reader thread, which releases the
   * socket and notifies the handler.
   */
  void closeWith(Throwable cause) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeCause = cause;
    try {
      channel.shutdownOutput();
      channel.shutdownInput();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "shutting down the connection to " + remote + " failed: " + e);
    }
    selector.wakeup();
  }

  /** Releases a connection whose reader thread never started; no handler is notified. */
  void discard() {
    closed.set(true);
    closeQuietly(selector);
    closeQuietly(socket);
    if (listener != null) {
      listener.connectionEnded();
    }
    closeFuture.complete(null);
  }

  /** The reader thread's body: connection handler, frames, then the close notification. */
  void readLoop() {
    Throwable cause = null;
    try {
      cause = startHandler();
      if (cause == null) {
        cause = readFrames();
      }
    } catch (RuntimeException | Error e) {
      cause = e;
      throw e;
    } finally {
      closeWith(cause);
      if (key != null) {
        key.cancel();
      }
      closeQuietly(selector);
      closeQuietly(socket);
      failPendingWrites();
      FrameHandler h = handler;
      if (h != null) {
        try {
          h.onClose(this, closeCause);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "the close handler of a connection to " + remote + " threw " + e, e);
        }
      }
      if (listener != null) {
        listener.connectionEnded();
      }
      closeFuture.complete(null);
    }
  }

  /** Asks the listener's handler for the frame handler; returns why the connection must close, if so. */
  private Throwable startHandler() {
    if (connectionHandler == null) {
      return null;
    }
    FrameHandler h;
    try {
      h = connectionHandler.onConnect(this);
    } catch (Exception e) {
      counters.handlerErrors.increment();
      listener.connectionErrorLog().log(() -> "the connection handler of " + remote + " refused an accepted connection"
          + describePeer() + ": " + e + "; closing that connection, the listener goes on", e);
      return e;
    }
    if (h == null) {
      counters.handlerErrors.increment();
      listener.connectionErrorLog().log(() -> "the connection handler of " + remote
          + " returned no frame handler; closing that connection");
      return new IllegalStateException("the connection handler of " + remote + " returned no frame handler");
    }
    handler = h;
    return null;
  }

  /** Reads and dispatches until the connection ends; returns why, or null for an orderly end. */
  private Throwable readFrames() {
    FrameHandler h = handler;
    FrameDecoder decoder = new FrameDecoder(format, maxFrameLength);
    ByteBuffer in = ByteBuffer.allocate(READ_BUFFER); // in write mode between iterations
    boolean moreToRead = false;
    boolean endOrTimeout = false; // a blocking read returned -1: the selector tells which
    boolean paused = false;
    long lastReadNanos = System.nanoTime();
    long partialSinceNanos = 0;
    boolean partialPending = false; // a frame is begun and not finished
    while (!closed.get()) {
      // Hand on the whole frames buffered, as far as the pipelining bound allows.
      boolean wasPaused = paused;
      boolean delivered = false;
      boolean burst = false;
      in.flip();
      try {
        byte[] frame;
        while (!closed.get() && !(paused = pausedAtBound(burst)) && (frame = decoder.next(in)) != null) {
          delivered = true;
          if (!burst && in.hasRemaining()) {
            burst = true; // more requests came in the same read: their answers go out in one write
            cork();
          }
          if (limits != null) {
            unanswered.incrementAndGet();
          }
          try {
            h.onFrame(this, frame);
          } catch (Exception e) {
            if (counters != null) {
              counters.handlerErrors.increment();
              listener.connectionErrorLog().log(() -> "the frame handler of a connection to " + remote + describePeer()
                  + " threw " + e + "; closing that connection", e);
            } else {
              LOG.log(Level.WARNING, "the frame handler of a connection to " + remote + " threw " + e
                  + "; closing that connection", e);
            }
            return e;
          }
        }
      } catch (FrameFormatException e) {
        TransportException bad = new TransportException(remote, Kind.BAD_FRAME, e.getMessage() + "; closing the connection", e);
        if (counters != null) {
          counters.badFrames.increment();
          listener.connectionErrorLog().log(() -> bad.getMessage() + describePeer());
        } else {
          LOG.log(Level.WARNING, bad.getMessage());
        }
        return bad;
      } finally {
        if (burst) {
          writeBurst(false); // also before a close for a throwing handler: the answers it gave still go out
        }
      }
      in.compact();
      if (closed.get()) {
        return null;
      }
      if (paused && (!wasPaused || delivered)) { // delivering means reading had resumed
        counters.readPauses.increment();
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
      if (checkPartial && !delivered && partialExpired(partialSinceNanos, System.nanoTime())) {
        return closedForPartialFrame();
      }
      try {
        if (!paused && !endOrTimeout && enterBlockingRead()) {
          int n;
          try {
            setReceiveTimeout(checkPartial, partialSinceNanos);
            n = channel.read(in);
          } finally {
            leaveBlockingRead();
          }
          if (n > 0) {
            lastReadNanos = System.nanoTime();
            lastTrafficNanos = lastReadNanos;
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
          boolean flush;
          synchronized (writeLock) {
            flush = flushWanted;
          }
          int ops = (paused ? 0 : SelectionKey.OP_READ) | (flush ? SelectionKey.OP_WRITE : 0);
          if (key.interestOps() != ops) {
            key.interestOps(ops);
          }
          boolean afterBlockingRead = endOrTimeout;
          endOrTimeout = false;
          long timeout = afterBlockingRead ? 0 : selectTimeoutMillis(checkPartial, partialSinceNanos);
          int ready = timeout < 0 ? selector.select() : timeout == 0 ? selector.selectNow() : selector.select(timeout);
          if (ready > 0) {
            readable = key.isValid() && key.isReadable();
          }
          selector.selectedKeys().clear();
          if (closed.get()) {
            return null;
          }
          if (flush) {
            flush();
          }
          long now = System.nanoTime();
          if (checkPartial && partialExpired(partialSinceNanos, now)) {
            return closedForPartialFrame();
          }
          if (!readable && idleExpired(now)) {
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
              ? new TransportException(remote, Kind.CLOSED, "the peer closed the connection in the middle of a frame")
              : null;
        }
        moreToRead = !in.hasRemaining(); // the buffer filled up: more may be waiting
        if (n > 0) {
          lastReadNanos = System.nanoTime();
          lastTrafficNanos = lastReadNanos;
          idleCheckEarly = false;
        }
      } catch (IOException e) {
        if (closed.get()) {
          return null;
        }
        LOG.log(Level.DEBUG, () -> "the connection to " + remote + " broke: " + e);
        return new TransportException(remote, Kind.CLOSED, "the connection broke: " + describe(e), e);
      }
    }
    return null;
  }

  /** Whether the handler has as many unanswered frames, or the socket as many queued sends, as allowed. */
  private boolean atPipelineBound() {
    if (limits == null) {
      return false;
    }
    int max = limits.maxPipelined();
    if (unanswered.get() >= max) {
      return true;
    }
    synchronized (writeLock) {
      return pendingWrites.size() >= max;
    }
  }

  /** How long the selector may wait: until the nearest deadline; -1 for none, 0 for already due. */
  private long selectTimeoutMillis(boolean checkPartial, long partialSinceNanos) {
    if (limits == null) {
      return -1;
    }
    long deadline = 0;
    boolean any = false;
    long idle = limits.idleTimeout().toNanos();
    if (idle > 0) {
      deadline = lastTrafficNanos + idle;
      any = true;
    }
    long partial = limits.partialFrameTimeout().toNanos();
    if (checkPartial && partial > 0) {
      long d = partialSinceNanos + partial;
      deadline = any && deadline - d < 0 ? deadline : d;
      any = true;
    }
    if (!any) {
      return -1;
    }
    long left = deadline - System.nanoTime();
    return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
  }

  private boolean idleExpired(long now) {
    long idle = limits == null ? 0 : limits.idleTimeout().toNanos();
    return idle > 0 && now - lastTrafficNanos >= idle;
  }

  private boolean partialExpired(long since, long now) {
    long partial = limits == null ? 0 : limits.partialFrameTimeout().toNanos();
    return partial > 0 && now - since >= partial;
  }

  private Throwable closedForIdle() {
    counters.closedIdle.increment();
    TransportException e = new TransportException(remote, Kind.TIMED_OUT, "no traffic for "
        + limits.idleTimeout().toMillis() + " ms (idle timeout); closing the connection");
    LOG.log(Level.DEBUG, e::getMessage);
    return e;
  }

  private Throwable closedForPartialFrame() {
    counters.closedPartialFrame.increment();
    TransportException e = new TransportException(remote, Kind.TIMED_OUT, "a frame was still incomplete "
        + limits.partialFrameTimeout().toMillis() + " ms after its first byte; dropping it with the connection");
    LOG.log(Level.DEBUG, e::getMessage);
    return e;
  }

  private String describePeer() {
    PeerCredentials c = peerCredentials;
    return c == null ? "" : " (peer pid " + c.pid() + " uid " + c.uid() + ")";
  }

  /**
   * Makes the socket blocking for the read that follows, unless something is queued to write:
   * then the caller waits in its selector instead, since a blocking read would not notice room.
   */
  private boolean enterBlockingRead() throws IOException {
    synchronized (writeLock) {
      if (closed.get() || !pendingWrites.isEmpty() || flusherOwns) {
        return false;
      }
      if (key != null) {
        key.cancel(); // a socket with a valid registration cannot be made blocking
      }
      if (!channel.isBlocking()) {
        channel.configureBlocking(true);
      }
      readerBlocking = true;
      return true;
    }
  }

  private void leaveBlockingRead() {
    synchronized (writeLock) {
      readerBlocking = false;
    }
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
    if (limits == null) {
      return 0;
    }
    boolean partial = checkPartial && limits.partialFrameTimeout().toNanos() > 0;
    if (!partial && !idleCheckEarly) {
      return (int) Math.min(limits.idleTimeout().toMillis(), Integer.MAX_VALUE);
    }
    long left = selectTimeoutMillis(checkPartial, partialSinceNanos);
    return left < 0 ? 0 : (int) Math.max(1, Math.min(left, Integer.MAX_VALUE));
  }

  /** Makes the socket non-blocking and registers it with the reader's selector, if not yet. */
  private void register() throws IOException {
    synchronized (writeLock) {
      if (channel.isBlocking()) {
        channel.configureBlocking(false);
      }
    }
    if (key == null || !key.isValid()) {
      if (key != null) {
        selector.selectNow(); // drops the cancelled registration, which would refuse a new one
      }
      key = channel.register(selector, SelectionKey.OP_READ);
    }
  }

  /** From now until {@link #writeBurst}, sends queue: the reader writes them together. */
  private void cork() {
    synchronized (writeLock) {
      corked = true;
    }
  }

  /**
   * Writes what a burst's sends queued, as far as the socket takes it; the reader's selector or
   * the flusher writes the rest when there is room.
   *
   * @param stayCorked whether the burst goes on (it reached the pipelining bound midway)
   */
  private void writeBurst(boolean stayCorked) {
    List<CompletableFuture<Void>> written;
    IOException failure;
    synchronized (writeLock) {
      corked = stayCorked;
      if (pendingWrites.isEmpty() || closed.get() || flusherOwns) { // the flusher writes when there is room
        return;
      }
      written = new ArrayList<>();
      failure = writeQueued(written);
      if (!pendingWrites.isEmpty()) {
        flushWanted = true; // the reader waits for room before it reads again
      }
    }
    completeWrites(written, failure);
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
    writeBurst(true);
    return atPipelineBound();
  }

  /** Writes what is queued, as far as the socket takes it; on the reader thread. */
  private void flush() {
    List<CompletableFuture<Void>> written = new ArrayList<>();
    IOException failure;
    synchronized (writeLock) {
      failure = writeQueued(written);
      if (pendingWrites.isEmpty()) {
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
    synchronized (writeLock) {
      if (flusherOwns && !closed.get()) {
        failure = writeQueued(written);
      }
      if (pendingWrites.isEmpty() || failure != null || closed.get()) {
        flusherKey.cancel(); // before the reader may make the socket blocking again
        flusherOwns = false;
      }
    }
    completeWrites(written, failure);
  }

  /**
   * Under writeLock: writes queued frames until the socket is full; returns the failure, if any.
   * Small frames go out together, copied into one buffer: one system call for a burst of answers
   * rather than one each (junixsocket's gathering write writes only the first buffer).
   */
  private IOException writeQueued(List<CompletableFuture<Void>> written) {
    try {
      if (channel.isBlocking()) {
        channel.configureBlocking(false); // left blocking by the reader's last read
      }
      while (!pendingWrites.isEmpty()) {
        PendingWrite head = pendingWrites.peek();
        boolean full;
        if (pendingWrites.size() > 1 && head.bytes.remaining() <= WRITE_BATCH) {
          ByteBuffer out = gatherQueued();
          int n = channel.write(out);
          full = out.hasRemaining();
          for (PendingWrite w : pendingWrites) { // move each frame on by what of it went out
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
        while (!pendingWrites.isEmpty() && !pendingWrites.peek().bytes.hasRemaining()) {
          written.add(pendingWrites.poll().done);
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

  /** Under writeLock: the queued frames' bytes, as many whole frames as fit the batch buffer (the first always fits). */
  private ByteBuffer gatherQueued() {
    if (batch == null) {
      batch = ByteBuffer.allocate(WRITE_BATCH);
    }
    batch.clear();
    for (PendingWrite w : pendingWrites) {
      if (w.bytes.remaining() > batch.remaining()) {
        break;
      }
      batch.put(w.bytes.duplicate());
    }
    return batch.flip();
  }

  private void completeWrites(List<CompletableFuture<Void>> written, IOException failure) {
    written.forEach(f -> {
      sent();
      f.complete(null); // outside the lock: dependents may send
    });
    if (failure != null) {
      closeWith(writeFailure(failure));
    }
  }

  private void failPendingWrites() {
    List<PendingWrite> unsent;
    synchronized (writeLock) {
      unsent = new ArrayList<>(pendingWrites);
      pendingWrites.clear();
      flushWanted = false;
      flusherOwns = false;
    }
    if (!unsent.isEmpty()) {
      TransportException e = closedError("the connection closed before the frame was sent");
      unsent.forEach(w -> w.done.completeExceptionally(e));
    }
  }

  /**
   * Why a frame cannot go out: the close's own reason when it had one, with its kind (a bad frame
   * stays BAD_FRAME, an idle close TIMED_OUT), as transport-tcp reports it; else CLOSED.
   */
  private TransportException closedError(String what) {
    Throwable why = closeCause;
    if (why instanceof TransportException) {
      TransportException te = (TransportException) why;
      return new TransportException(remote, te.kind(), what + ": " + te.reason(), te);
    }
    return new TransportException(remote, Kind.CLOSED, what + ": " + (why == null ? "the connection is closed" : why),
        why);
  }

  private TransportException writeFailure(IOException e) {
    return closed.get()
        ? new TransportException(remote, Kind.CLOSED, "the connection was closed while sending", e)
        : new TransportException(remote, Kind.CLOSED, "the connection broke while sending: " + describe(e), e);
  }

  /**
   * What went wrong, in words. junixsocket's channel reports a broken pipe as an
   * {@code AsynchronousCloseException} caused by one, and neither carries a message.
   */
  static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BrokenPipeSocketException) {
        return "broken pipe (the peer has closed the connection)";
      }
      if (t instanceof ConnectionResetSocketException) {
        return "connection reset by the peer";
      }
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** The kernel-reported peer, or null when it reports none. */
  static PeerCredentials readPeerCredentials(AFUNIXSocket socket) {
    try {
      AFUNIXSocketCredentials c = socket.getPeerCredentials();
      if (c == null || c.isEmpty()) {
        return null;
      }
      return new PeerCredentials(c.getPid(), c.getUid(), c.getGid());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "no peer credentials: " + e);
      return null;
    }
  }

  private static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "closing " + c + " failed: " + e);
    }
  }

  @Override
  public String toString() {
    return "UnixConnection[" + (listener != null ? "accepted on " : "to ") + remote + (closed.get() ? ", closed" : "")
        + "]";
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
