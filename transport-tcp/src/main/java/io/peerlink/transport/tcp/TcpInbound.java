package io.peerlink.transport.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.support.ConnectionDeadlines;
import io.peerlink.transport.api.support.PipelineBound;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a connection's pipeline: hands decoded frames to the {@link FrameHandler}
 * on the channel's event loop, and turns pipeline events into the connection's close.
 *
 * <p>An accepted connection obeys its listener's {@link ListenerLimits}: an idle timeout (Netty's
 * idle handler), a partial-frame timeout ({@link TcpFrameDecoder}), whose errors
 * {@link ConnectionDeadlines} words, and the {@link PipelineBound}: at the bound (or while the
 * channel is not writable, so a peer that does not read cannot grow our outbound buffer) reading
 * stops (autoRead off) until answers drain. The few frames one read had decoded already wait in
 * a small backlog, so the handler never holds more than the bound.
 *
 * <p>Over TLS, the connection handler is asked only once the handshake has succeeded, so it never
 * sees an unauthenticated peer. An exception from a handler closes this connection only.
 */
final class TcpInbound extends ChannelInboundHandlerAdapter {

  private static final System.Logger LOG = System.getLogger(TcpInbound.class.getName());

  // Frames an accepted connection may have handled before it yields the event loop to the other
  // connections on it: 512 connections pipelining 1,024 cheap requests each were otherwise
  // handled one whole connection at a time, and an honest request on the same loop waited
  // seconds for its turn. The rest wait in the backlog for the connection's next turn.
  static final int FRAMES_PER_TURN = 64;

  private final TcpConnection connection;
  private final Channel channel;
  private final ConnectionHandler acceptHandler; // accepted connections only
  private final PipelineBound bound;
  private final ConnectionDeadlines deadlines;
  private final boolean tls;
  private final ArrayDeque<byte[]> backlog = new ArrayDeque<>(); // event loop only
  private boolean draining; // event loop only
  private int turnFrames; // frames handled since this connection last yielded; event loop only
  private boolean yielded; // a task to go on is queued; event loop only
  private FrameHandler frameHandler; // event loop only after construction

  /** A dialled connection's: every frame goes to {@code frameHandler}, unbounded. */
  TcpInbound(TcpConnection connection, FrameHandler frameHandler, boolean tls) {
    this(connection, frameHandler, null, PipelineBound.none(), ConnectionDeadlines.none(), tls);
  }

  /** An accepted connection's: {@code acceptHandler} is asked for the frame handler once it is active. */
  TcpInbound(TcpConnection connection, ConnectionHandler acceptHandler, ListenerLimits limits, boolean tls) {
    this(connection, null, acceptHandler, PipelineBound.of(limits), ConnectionDeadlines.of(limits), tls);
  }

  private TcpInbound(TcpConnection connection, FrameHandler frameHandler, ConnectionHandler acceptHandler,
      PipelineBound bound, ConnectionDeadlines deadlines, boolean tls) {
    this.connection = connection;
    this.channel = connection.channel;
    this.frameHandler = frameHandler;
    this.acceptHandler = acceptHandler;
    this.bound = bound;
    this.deadlines = deadlines;
    this.tls = tls;
    connection.inbound(this);
  }

  /** The connection this handler serves. */
  TcpConnection connection() {
    return connection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (acceptHandler != null && !tls) {
      askConnectionHandler();
    }
    super.channelActive(ctx);
  }

  private void askConnectionHandler() {
    frameHandler = connection.askConnectionHandler(acceptHandler);
    if (frameHandler != null) {
      resumeReading(); // frames that arrived with the handshake's last bytes
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      connection.counters().closedIdle();
      TransportException e = deadlines.idleError(connection.remote());
      LOG.log(Level.DEBUG, e::getMessage);
      connection.closeWith(e);
    } else if (evt == TcpFrameDecoder.PARTIAL_FRAME_TIMEOUT) {
      connection.counters().closedPartialFrame();
      TransportException e = deadlines.partialFrameError(connection.remote());
      LOG.log(Level.DEBUG, e::getMessage);
      connection.closeWith(e);
    } else if (evt instanceof SslHandshakeCompletionEvent && acceptHandler != null && frameHandler == null
        && connection.isOpen()) {
      SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
      if (done.isSuccess()) {
        askConnectionHandler();
      } else {
        LOG.log(Level.DEBUG, () -> connection.remote() + ": TLS handshake failed: " + done.cause());
        connection.closeWith(new TransportException(connection.remote(), TransportException.Kind.IO,
            "TLS handshake failed: " + done.cause(), done.cause()));
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!connection.isOpen()) {
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
    return acceptHandler != null && (bound.reached() || !channel.isWritable());
  }

  private void deliver(byte[] frame) {
    if (acceptHandler != null) {
      bound.delivered();
      turnFrames++;
    }
    try {
      frameHandler.onFrame(connection, frame);
    } catch (Exception | Error e) { // whatever it throws closes this connection only
      connection.handlerFailed("the frame handler threw " + e, e);
      return;
    }
    if (readingPaused()) {
      pauseReading();
    }
  }

  private void pauseReading() {
    if (channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
      connection.counters().readPaused();
    }
  }

  /** An answer was written (or failed): one frame fewer pending. On the event loop (a write's listener). */
  void answerWritten() {
    bound.answered();
    resumeReading();
  }

  /** Delivers what waits in the backlog while the bound allows, then reads again. */
  private void resumeReading() {
    if (draining || !connection.isOpen() || frameHandler == null) {
      return;
    }
    draining = true;
    try {
      while (!backlog.isEmpty() && !readingPaused() && connection.isOpen() && !turnUsed()) {
        deliver(backlog.poll());
      }
    } finally {
      draining = false;
    }
    boolean open = connection.isOpen();
    if (turnUsed() && open) {
      yieldTurn();
    } else if (backlog.isEmpty() && !readingPaused() && open && !channel.config().isAutoRead()) {
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
    if (cause instanceof FrameFormatException) {
      connection.badFrame((FrameFormatException) cause);
      return;
    }
    TransportException error;
    if (isTlsFailure(cause)) {
      // A peer without a trusted certificate, or not speaking TLS: its failure, not ours.
      error = new TransportException(connection.remote(), TransportException.Kind.IO, "TLS failed: "
          + ConnectErrors.describe(cause.getCause()), cause.getCause());
      LOG.log(Level.DEBUG, () -> error.getMessage() + "; closing the connection");
    } else if (cause instanceof EOFException) {
      error = new TransportException(connection.remote(), TransportException.Kind.CLOSED, cause.getMessage(), cause);
      LOG.log(Level.DEBUG, error::getMessage);
    } else if (cause instanceof IOException) {
      error = new TransportException(connection.remote(), TransportException.Kind.CLOSED, "connection lost: "
          + cause.getMessage(), cause);
      LOG.log(Level.DEBUG, error::getMessage);
    } else {
      error = new TransportException(connection.remote(), TransportException.Kind.IO, "connection failed: " + cause,
          cause);
      LOG.log(Level.WARNING, error.getMessage() + "; closing the connection", cause);
    }
    connection.closeWith(error);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    backlog.clear(); // frames read ahead are never answered now: let them go at once
    connection.closed(frameHandler);
    super.channelInactive(ctx);
  }

  private static boolean isTlsFailure(Throwable cause) {
    return cause instanceof io.netty.handler.codec.DecoderException
        && (cause.getCause() instanceof javax.net.ssl.SSLException
            || cause.getCause() instanceof io.netty.handler.ssl.NotSslRecordException);
  }
}
