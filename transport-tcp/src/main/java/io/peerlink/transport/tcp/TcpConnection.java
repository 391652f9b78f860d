package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.TransportException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection: the {@link Connection} users hold, and the last handler of the channel's
 * pipeline, which hands decoded frames to the {@link FrameHandler} on the channel's event loop.
 *
 * <p>An exception from the frame handler (or, for an accepted connection, from the
 * {@link ConnectionHandler}) closes this connection only; it is logged with the remote address.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter implements Connection {

  private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

  // Flushes asked for while a read is being handled (replies written from onFrame) are merged
  // into one at the end of the read; this many at most are held back.
  private static final int FLUSHES_PER_READ = 256;

  private final Channel channel;
  private final Endpoint remote;
  private final FrameFormat format;
  private final int maxFrameLength;
  private final WriteQueue writes;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final ConnectionHandler acceptHandler; // accepted connections only
  private final Endpoint listenerEndpoint; // accepted connections only
  private FrameHandler frameHandler; // event loop only after construction
  private volatile Throwable closeCause; // the first reason a close was not orderly
  private volatile boolean closing;

  private TcpConnection(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength,
      FrameHandler frameHandler, ConnectionHandler acceptHandler, Endpoint listenerEndpoint) {
    this.channel = channel;
    this.remote = remote;
    this.format = format;
    this.maxFrameLength = maxFrameLength;
    this.frameHandler = frameHandler;
    this.acceptHandler = acceptHandler;
    this.listenerEndpoint = listenerEndpoint;
    this.writes = new WriteQueue(channel);
  }

  /** Installs the pipeline of an outgoing connection; {@code handler} gets every frame. */
  static TcpConnection installOutgoing(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength,
      FrameHandler handler) {
    return install(new TcpConnection(channel, remote, format, maxFrameLength, handler, null, null));
  }

  /**
   * Installs the pipeline of an accepted connection; {@code handler} is asked for its frame
   * handler when the connection becomes active, before any frame is read.
   */
  static TcpConnection installAccepted(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength,
      ConnectionHandler handler, Endpoint listenerEndpoint) {
    return install(new TcpConnection(channel, remote, format, maxFrameLength, null, handler, listenerEndpoint));
  }

  private static TcpConnection install(TcpConnection c) {
    c.channel.pipeline()
        .addLast("flush-consolidation", new FlushConsolidationHandler(FLUSHES_PER_READ, false))
        .addLast("frame-decoder", new FrameDecoder(c.format, c.maxFrameLength))
        .addLast("connection", c);
    return c;
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
    if (acceptHandler != null) {
      try {
        FrameHandler h = acceptHandler.onConnect(this);
        if (h == null) {
          throw new NullPointerException("the ConnectionHandler returned no FrameHandler");
        }
        frameHandler = h;
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "listener " + listenerEndpoint + ": the connection handler refused the connection from "
            + remote + " by throwing; closing that connection", t);
        closing = true;
        ctx.close();
      }
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    FrameHandler h = frameHandler;
    if (closing || h == null) {
      return; // frames decoded in the same read after a close are dropped
    }
    try {
      h.onFrame(this, (byte[]) msg);
    } catch (Throwable t) {
      LOG.log(Level.WARNING, "the frame handler of the connection with " + remote
          + " threw; closing that connection", t);
      closeWith(t);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    TransportException error;
    if (cause instanceof FrameFormatException) {
      error = new TransportException(remote, TransportException.Kind.BAD_FRAME,
          "bad frame received: " + cause.getMessage(), cause);
      LOG.log(Level.INFO, error.getMessage() + "; closing the connection");
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

  private TransportException closedError(String what, Throwable cause) {
    Throwable why = closeCause;
    if (why instanceof TransportException) {
      TransportException te = (TransportException) why;
      return new TransportException(remote, te.kind(), what + ": " + reason(te), te);
    }
    Throwable c = why != null ? why : cause;
    String detail = c == null || c instanceof ClosedChannelException ? "the connection is closed" : c.toString();
    return new TransportException(remote, TransportException.Kind.CLOSED, what + ": " + detail, c);
  }

  // The message of a TransportException about this connection, without the endpoint prefix.
  private String reason(TransportException te) {
    String m = te.getMessage();
    String prefix = remote + ": ";
    return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
  }

  @Override
  public String toString() {
    return "TcpConnection[" + channel.localAddress() + " <-> " + remote + (isOpen() ? "" : ", closed") + "]";
  }
}
