package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection: the {@link Connection} users hold, and the last handler of the channel's
 * pipeline, which hands decoded frames to the {@link FrameHandler} on the channel's event loop.
 *
 * <p>An accepted connection obeys its listener's {@link ListenerLimits}: an idle timeout, a
 * partial-frame timeout (in {@link FrameDecoder}), and a bound on pipelining: frames delivered
 * whose answers have not been written yet are counted, and at the bound (or while the channel is
 * not writable, so a peer that does not read cannot grow our outbound buffer) reading stops
 * (autoRead off) until answers drain. The few frames one read had decoded already wait in a small
 * backlog, so the handler never holds more than the bound. The count assumes a handler answers
 * each frame with one send (request/response); unanswered frames count until the connection ends.
 *
 * <p>Over TLS, the connection handler is asked only once the handshake has succeeded, so it never
 * sees an unauthenticated peer.
 *
 * <p>An exception from the frame handler (or, for an accepted connection, from the
 * {@link ConnectionHandler}) closes this connection only; it is logged with the remote address.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements Connection {

  private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

  // Frames an accepted connection may have handled before it yields the event loop to the other
  // connections on it: 512 connections pipelining 1,024 cheap requests each were otherwise
  // handled one whole connection at a time, and an honest request on the same loop waited
  // seconds for its turn. The rest wait in the backlog for the connection's next turn.
  static final int FRAMES_PER_TURN = 64;

  final Channel channel;
  private final Endpoint remote;
  final FrameFormat format;
  final int maxFrameLength;
  private final WriteQueue writes;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final ConnectionHandler acceptHandler; // accepted connections only
  private final Endpoint listenerEndpoint; // accepted connections only
  private final ListenerCounters counters;
  private final ThrottledLog handlerErrorLog; // accepted connections only
  private final int maxPipelined;
  private final boolean tls;
  private final ArrayDeque<byte[]> backlog = new ArrayDeque<>(); // event loop only
  private int pending; // frames delivered, answers not yet written; event loop only
  private boolean draining; // event loop only
  private int turnFrames; // frames handled since this connection last yielded; event loop only
  private boolean yielded; // a task to go on is queued; event loop only
  private FrameHandler frameHandler; // event loop only after construction
  private volatile Throwable closeCause; // the first reason a close was not orderly
  private volatile boolean closing;

  TcpConnection(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength,
      FrameHandler frameHandler, ConnectionHandler acceptHandler, Endpoint listenerEndpoint, ListenerCounters counters,
      ThrottledLog handlerErrorLog, int maxPipelined, boolean tls) {
    this.channel = channel;
    this.counters = counters;
    this.handlerErrorLog = handlerErrorLog;
    this.maxPipelined = maxPipelined;
    this.tls = tls;
    this.remote = remote;
    this.format = format;
    this.maxFrameLength = maxFrameLength;
    this.frameHandler = frameHandler;
    this.acceptHandler = acceptHandler;
    this.listenerEndpoint = listenerEndpoint;
    this.writes = new WriteQueue(channel);
  }

  /** For tests: the channel, to inspect its socket options. */
  Channel channel() {
    return channel;
  }

  @Override
  public Endpoint remote() {
    return remote;
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    if (frame.length > maxFrameLength) {
      return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.BAD_FRAME,
          "cannot send a frame of " + frame.length + " bytes: the maximum frame length is " + maxFrameLength
              + " bytes"));
    }
    if (closing || !channel.isActive()) {
      return CompletableFuture.failedFuture(closedError("cannot send", null));
    }
    // Header and payload in one direct buffer: one copy, one write.
    int headerLength = format.headerLength(frame.length);
    byte[] header = new byte[headerLength];
    format.writeHeader(frame.length, header, 0);
    ByteBuf buf = channel.alloc().ioBuffer(headerLength + frame.length);
    buf.writeBytes(header).writeBytes(frame);

    CompletableFuture<Void> sent = new CompletableFuture<>();
    ChannelPromise promise = channel.newPromise();
    promise.addListener(f -> {
      if (acceptHandler != null) {
        answerWritten();
      }
      if (f.isSuccess()) {
        sent.complete(null);
      } else {
        sent.completeExceptionally(closedError("the frame was not sent", f.cause()));
      }
    });
    writes.write(buf, promise);
    return sent;
  }

  @Override
  public boolean isOpen() {
    return !closing && channel.isActive();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closed.copy(); // a copy, so callers cannot complete ours
  }

  @Override
  public void close() {
    closing = true;
    channel.close();
  }

  /** Closes because of {@code cause}, which {@link FrameHandler#onClose} then receives. */
  void closeWith(Throwable cause) {
    if (closeCause == null) {
      closeCause = cause;
    }
    close();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (acceptHandler != null && !tls) {
      askConnectionHandler(ctx);
    }
    super.channelActive(ctx);
  }

  private void askConnectionHandler(ChannelHandlerContext ctx) {
    try {
      FrameHandler h = acceptHandler.onConnect(this);
      if (h == null) {
        throw new NullPointerException("the ConnectionHandler returned no FrameHandler");
      }
      frameHandler = h;
    } catch (Throwable t) {
      counters.handlerErrors.increment();
      handlerErrorLog.log("listener " + listenerEndpoint + ": the connection handler refused the connection from "
          + remote + " by throwing; closing that connection", t);
      closing = true;
      ctx.close();
      return;
    }
    resumeReading(); // frames that arrived with the handshake's last bytes
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      counters.closedIdle.increment();
      LOG.log(Level.DEBUG, () -> remote + ": closing the connection, idle for longer than the idle timeout");
      closeWith(new TransportException(remote, TransportException.Kind.TIMED_OUT,
          "closed by the listener: idle for longer than the idle timeout"));
    } else if (evt == FrameDecoder.PARTIAL_FRAME_TIMEOUT) {
      counters.closedPartialFrame.increment();
      LOG.log(Level.DEBUG, () -> remote + ": closing the connection, a frame stayed incomplete too long");
      closeWith(new TransportException(remote, TransportException.Kind.TIMED_OUT,
          "closed by the listener: a frame stayed incomplete for longer than the partial-frame timeout"));
    } else if (evt instanceof SslHandshakeCompletionEvent && acceptHandler != null && frameHandler == null
        && !closing) {
      SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
      if (done.isSuccess()) {
        askConnectionHandler(ctx);
      } else {
        LOG.log(Level.DEBUG, () -> "listener " + listenerEndpoint + ": TLS handshake with " + remote + " failed: "
            + done.cause());
        closeWith(new TransportException(remote, TransportException.Kind.IO, "TLS handshake failed: " + done.cause(),
            done.cause()));
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      return; // frames decoded in the same read after a close are dropped
    }
    byte[] frame = (byte[]) msg;
    if (frameHandler == null || !backlog.isEmpty() || readingPaused() || turnUsed()) {
      backlog.add(frame); // at most one read's worth: reading has stopped
      if (turnUsed()) {
        yieldTurn();
      }
      return;
    }
    deliver(frame);
  }

  private boolean turnUsed() {
    return acceptHandler != null && turnFrames >= FRAMES_PER_TURN;
  }

  /** Stops reading and schedules the next turn, which goes on where this one stopped, after the loop's other reads. */
  private void yieldTurn() {
    channel.config().setAutoRead(false);
    if (!yielded) {
      yielded = true;
      // Scheduled, not executed: the loop runs queued tasks for up to a second before it reads
      // again (Netty's maxTaskProcessingQuantumMs), but takes scheduled ones only once per turn, so
      // every connection's reads come between two of this connection's turns.
      channel.eventLoop().schedule(() -> {
        yielded = false;
        turnFrames = 0;
        resumeReading();
      }, 0, TimeUnit.NANOSECONDS);
    }
  }

  private boolean readingPaused() {
    return acceptHandler != null && (pending >= maxPipelined || !channel.isWritable());
  }

  private void deliver(byte[] frame) {
    if (acceptHandler != null) {
      pending++;
      turnFrames++;
    }
    try {
      frameHandler.onFrame(this, frame);
    } catch (Throwable t) {
      String message = "the frame handler of the connection with " + remote + " threw; closing that connection";
      if (handlerErrorLog != null) {
        counters.handlerErrors.increment();
        handlerErrorLog.log(message, t);
      } else {
        LOG.log(Level.WARNING, message, t);
      }
      closeWith(t);
      return;
    }
    if (readingPaused()) {
      pauseReading();
    }
  }

  private void pauseReading() {
    if (channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
      counters.readPauses.increment();
    }
  }

  // An answer was written (or failed): one frame fewer pending.
  private void answerWritten() {
    if (pending > 0) {
      pending--;
    }
    resumeReading();
  }

  /** Delivers what waits in the backlog while the bound allows, then reads again. */
  private void resumeReading() {
    if (draining || closing || frameHandler == null) {
      return;
    }
    draining = true;
    try {
      while (!backlog.isEmpty() && !readingPaused() && !closing && !turnUsed()) {
        deliver(backlog.poll());
      }
    } finally {
      draining = false;
    }
    if (turnUsed() && !closing) {
      yieldTurn();
    } else if (backlog.isEmpty() && !readingPaused() && !closing && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    } else if (readingPaused()) {
      pauseReading();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (acceptHandler != null) {
      if (channel.isWritable()) {
        resumeReading();
      } else {
        pauseReading();
      }
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    TransportException error;
    if (cause instanceof FrameFormatException) {
      counters.badFrames.increment();
      error = new TransportException(remote, TransportException.Kind.BAD_FRAME,
          "bad frame received: " + cause.getMessage(), cause);
      LOG.log(Level.INFO, error.getMessage() + "; closing the connection");
    } else if (isTlsFailure(cause)) {
      // A peer without a trusted certificate, or not speaking TLS: its failure, not ours.
      error = new TransportException(remote, TransportException.Kind.IO, "TLS failed: " + describe(cause.getCause()),
          cause.getCause());
      String message = error.getMessage();
      LOG.log(Level.DEBUG, () -> message + "; closing the connection");
    } else if (cause instanceof EOFException) {
      error = new TransportException(remote, TransportException.Kind.CLOSED, cause.getMessage(), cause);
      LOG.log(Level.DEBUG, error.getMessage());
    } else if (cause instanceof IOException) {
      error = new TransportException(remote, TransportException.Kind.CLOSED, "connection lost: " + cause.getMessage(),
          cause);
      LOG.log(Level.DEBUG, error.getMessage());
    } else {
      error = new TransportException(remote, TransportException.Kind.IO, "connection failed: " + cause, cause);
      LOG.log(Level.WARNING, error.getMessage() + "; closing the connection", cause);
    }
    closeWith(error);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closing = true;
    backlog.clear(); // frames read ahead are never answered now: let them go at once
    FrameHandler h = frameHandler;
    if (h != null) {
      try {
        h.onClose(this, closeCause);
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "the frame handler of the connection with " + remote + " threw from onClose", t);
      }
    }
    closed.complete(null);
    super.channelInactive(ctx);
  }

  private static boolean isTlsFailure(Throwable cause) {
    return cause instanceof io.netty.handler.codec.DecoderException
        && (cause.getCause() instanceof javax.net.ssl.SSLException
            || cause.getCause() instanceof io.netty.handler.ssl.NotSslRecordException);
  }

  /** A cause in words: its message, or its type when it has none; with the root cause. */
  static String describe(Throwable t) {
    if (t == null) {
      return "unknown cause";
    }
    String own = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    for (Throwable s : t.getSuppressed()) {
      if (s.getMessage() != null) {
        own += " (" + s.getMessage() + ")";
        break;
      }
    }
    return root == t || root.getMessage() == null ? own : own + ": " + root.getMessage();
  }

  private TransportException closedError(String what, Throwable cause) {
    Throwable why = closeCause;
    if (why instanceof TransportException) {
      TransportException te = (TransportException) why;
      return new TransportException(remote, te.kind(), what + ": " + te.reason(), te);
    }
    Throwable c = why != null ? why : cause;
    String detail = c == null || c instanceof ClosedChannelException ? "the connection is closed" : c.toString();
    return new TransportException(remote, TransportException.Kind.CLOSED, what + ": " + detail, c);
  }

  @Override
  public String toString() {
    return "TcpConnection[" + channel.localAddress() + " <-> " + remote + (isOpen() ? "" : ", closed") + "]";
  }
}
