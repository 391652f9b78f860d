package io.peerlink.transport.api.support;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every {@link Connection} does besides its I/O: it closes once, keeps the first close's
 * cause and tells the frame handler once; a send after the close fails with the cause's kind (a
 * bad frame stays {@link Kind#BAD_FRAME}, an idle close {@link Kind#TIMED_OUT}); frames too long
 * are refused before they reach the wire; an accepted connection's handler failures and bad frames
 * are counted in its listener's stats and logged rate-limited.
 *
 * <p>The life of a connection: {@link #closeWith} (or {@link #close}) marks it closed, records the
 * cause and calls {@link #closeIo} once, which stops the I/O (shuts the socket down, closes the
 * channel). When the transport's I/O has ended (the reader thread exits, the channel goes
 * inactive) it calls {@link #closed(FrameHandler)}, which tells the handler and completes
 * {@link #closeFuture()}. A peer that closes first reaches {@link #closed} without a
 * {@code closeWith}: its cause is null, an orderly end.
 *
 * <p>Besides {@link Connection}'s, the public methods here are for the transport's own classes
 * (its reader, its pipeline handler), which live in its package, not in this one; applications
 * hold a {@link Connection} and never need them.
 */
public abstract class AbstractConnection implements Connection {

  private static final System.Logger LOG = System.getLogger(AbstractConnection.class.getName());

  private final Endpoint remote;
  private final int maxFrameLength;
  private final ListenerCounters counters; // none() for a dialled connection
  private final RateLimitedLog errorLog; // accepted connections: their listener's; null when dialled
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean notified = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private volatile Throwable closeCause;

  /**
   * @param remote the other end, named in every error
   * @param maxFrameLength the longest frame {@link #send} takes
   * @param counters the listener's counters for an accepted connection; {@link ListenerCounters#none()}
   *     for a dialled one
   * @param errorLog where the listener logs its connections' failures, rate-limited; null for a
   *     dialled connection, whose failures are logged at WARNING
   */
  protected AbstractConnection(Endpoint remote, int maxFrameLength, ListenerCounters counters,
      RateLimitedLog errorLog) {
    this.remote = remote;
    this.maxFrameLength = maxFrameLength;
    this.counters = counters;
    this.errorLog = errorLog;
  }

  @Override
  public final Endpoint remote() {
    return remote;
  }

  /** The longest frame this connection sends or accepts. */
  public final int maxFrameLength() {
    return maxFrameLength;
  }

  /** The listener's counters; {@link ListenerCounters#none()} for a dialled connection. */
  public final ListenerCounters counters() {
    return counters;
  }

  /** Open until closed by either side. Subclasses may add their own conditions. */
  @Override
  public boolean isOpen() {
    return !closed.get();
  }

  /** Whether {@link #closeWith} was called or the I/O has ended. */
  public final boolean isClosed() {
    return closed.get();
  }

  /** The first close's cause; null for an orderly close. */
  public final Throwable closeCause() {
    return closeCause;
  }

  /** A copy of the close future, so that callers cannot complete it. */
  @Override
  public final CompletableFuture<Void> closeFuture() {
    return closeFuture.copy();
  }

  @Override
  public final void close() {
    closeWith(null);
  }

  /**
   * Closes because of {@code cause} ({@link FrameHandler#onClose} receives it; null for an orderly
   * close). Only the first call counts.
   *
   * @return whether this call closed the connection
   */
  public final boolean closeWith(Throwable cause) {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    closeCause = cause;
    closeIo();
    return true;
  }

  /**
   * Stops the I/O, once, on the thread that closed: shut the socket down, close the channel, wake
   * the reader. The transport then calls {@link #closed(FrameHandler)} when its I/O has ended.
   */
  protected abstract void closeIo();

  /**
   * The I/O has ended: tells {@code handler} (null when there is none yet) and completes the close
   * future; only the first call does anything.
   */
  public final void closed(FrameHandler handler) {
    closed.set(true);
    if (!notified.compareAndSet(false, true)) {
      return;
    }
    try {
      if (handler != null) {
        handler.onClose(this, closeCause);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the frame handler of the connection with " + remote + " threw from onClose: " + e, e);
    } finally {
      closeFuture.complete(null);
    }
  }

  /** Completes the close future of a connection never handed out, without telling any handler. */
  public final void discarded() {
    closed.set(true);
    notified.set(true);
    closeFuture.complete(null);
  }

  /**
   * Why {@code frame} cannot be sent before anything is written: null, too long, or the connection
   * is closed; null when it may be sent.
   */
  public final Throwable sendRefusal(byte[] frame) {
    if (frame == null) {
      return new NullPointerException("frame");
    }
    return sendRefusalOfLength(frame.length);
  }

  /**
   * As {@link #sendRefusal(byte[])} for a frame of {@code length} bytes laid out otherwise (an
   * {@link io.peerlink.transport.api.OutgoingFrame}).
   */
  public final Throwable sendRefusalOfLength(int length) {
    if (length > maxFrameLength) {
      return new TransportException(remote, Kind.BAD_FRAME, "cannot send a frame of " + length
          + " bytes: the maximum frame length is " + maxFrameLength + " bytes");
    }
    return closed.get() ? closedError("cannot send") : null;
  }

  /**
   * Why a frame cannot go out: the close's own reason when it had one, with its kind (a bad frame
   * stays BAD_FRAME, an idle close TIMED_OUT); else CLOSED, with {@code cause} when given.
   */
  public final TransportException closedError(String what, Throwable cause) {
    Throwable why = closeCause;
    if (why instanceof TransportException) {
      TransportException te = (TransportException) why;
      return new TransportException(remote, te.kind(), what + ": " + te.reason(), te);
    }
    Throwable c = why != null ? why : cause;
    return new TransportException(remote, Kind.CLOSED, what + ": "
        + (c == null || c instanceof java.nio.channels.ClosedChannelException ? "the connection is closed" : c), c);
  }

  /** As {@link #closedError(String, Throwable)} without an I/O cause. */
  public final TransportException closedError(String what) {
    return closedError(what, null);
  }

  /**
   * Asks an accepted connection's {@link ConnectionHandler} for its frame handler. When it throws
   * or returns none, the failure is counted and logged, and the connection closed with it.
   *
   * @return the frame handler, or null when the connection was closed
   */
  public final FrameHandler askConnectionHandler(ConnectionHandler handler) {
    FrameHandler h;
    try {
      h = handler.onConnect(this);
    } catch (Exception | Error e) { // whatever it throws closes this connection only
      handlerFailed("the connection handler refused the connection by throwing " + e, e);
      return null;
    }
    if (h == null) {
      handlerFailed("the connection handler returned no frame handler",
          new IllegalStateException("the connection handler of " + remote + " returned no frame handler"));
    }
    return h;
  }

  /**
   * A handler threw (or refused): counts it for an accepted connection, logs it (rate-limited for
   * an accepted one) and closes this connection only.
   */
  public final void handlerFailed(String what, Throwable t) {
    String line = "connection with " + remote + describePeer() + ": " + what + "; closing that connection";
    if (errorLog != null) {
      counters.handlerError();
      errorLog.log(() -> line, t);
    } else {
      LOG.log(Level.WARNING, line, t);
    }
    closeWith(t);
  }

  /** A header was malformed or too long: counts and logs it, and closes the connection with BAD_FRAME. */
  public final void badFrame(FrameFormatException e) {
    TransportException bad = new TransportException(remote, Kind.BAD_FRAME, "bad frame received: " + e.getMessage()
        + "; closing the connection", e);
    counters.badFrame();
    if (errorLog != null) {
      errorLog.log(() -> bad.getMessage() + describePeer());
    } else {
      LOG.log(Level.WARNING, bad.getMessage());
    }
    closeWith(bad);
  }

  /** The peer as the kernel names it, for log lines; empty when unknown. */
  protected String describePeer() {
    return peerCredentials().map(c -> " (peer pid " + c.pid() + " uid " + c.uid() + ")").orElse("");
  }
}
