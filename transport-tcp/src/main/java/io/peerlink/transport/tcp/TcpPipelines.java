package io.peerlink.transport.tcp;

import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.util.concurrent.TimeUnit;

/**
 * Builds a connection's channel pipeline: TLS (when asked), the listener's write-buffer water
 * mark and idle timeout for an accepted connection, flush consolidation, the frame decoder, and
 * the {@link TcpConnection} at its end.
 */
final class TcpPipelines {

  // Flushes asked for while a read is being handled (replies written from onFrame) are merged
  // into one at the end of the read; this many at most are held back.
  private static final int FLUSHES_PER_READ = 256;

  private TcpPipelines() {
  }

  /** Installs the pipeline of an outgoing connection; {@code handler} gets every frame. */
  static TcpConnection installOutgoing(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength,
      FrameHandler handler) {
    TcpConnection c = outgoing(channel, remote, format, maxFrameLength);
    return install(c, new TcpInbound(c, handler, false), 0);
  }

  /**
   * Installs the pipeline of an outgoing TLS connection: the caller waits for
   * {@link SslHandler#handshakeFuture()} before handing the connection out.
   */
  static SslHandler installOutgoingTls(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength,
      FrameHandler handler, SslContext ssl, long handshakeTimeoutMillis) {
    SslHandler sslHandler = ssl.newHandler(channel.alloc(), remote.host(), remote.port());
    sslHandler.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeoutMillis));
    channel.pipeline().addLast("tls", sslHandler);
    TcpConnection c = outgoing(channel, remote, format, maxFrameLength);
    install(c, new TcpInbound(c, handler, true), 0);
    return sslHandler;
  }

  private static TcpConnection outgoing(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength) {
    return new TcpConnection(channel, remote, format, maxFrameLength, ListenerCounters.none(), null, false);
  }

  /**
   * Installs the pipeline of an accepted connection; {@code handler} is asked for its frame
   * handler when the connection becomes active, before any frame is read.
   */
  static TcpConnection installAccepted(Channel channel, Endpoint remote, ListenOptions options,
      ConnectionHandler handler, ListenerCounters counters, RateLimitedLog errorLog, SslContext ssl) {
    ListenerLimits limits = options.limits();
    if (ssl != null) {
      SslHandler sslHandler = ssl.newHandler(channel.alloc());
      // A peer that stalls the handshake is cut off like a half frame.
      if (!limits.partialFrameTimeout().isZero()) {
        sslHandler.setHandshakeTimeoutMillis(Math.max(1, limits.partialFrameTimeout().toMillis()));
      }
      channel.pipeline().addLast("tls", sslHandler);
    }
    // Past this many unwritten answer bytes the channel turns unwritable and reading stops.
    channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(
        Math.max(1, limits.maxUnansweredBytes() / 4), limits.maxUnansweredBytes()));
    long idleMillis = limits.idleTimeout().toMillis();
    if (idleMillis > 0) {
      // Idle: nothing read and no write completed; a peer that stops reading our answers while
      // we pause for it is idle too, and is closed.
      channel.pipeline().addLast("idle", new IdleStateHandler(false, 0, 0, idleMillis, TimeUnit.MILLISECONDS));
    }
    TcpConnection c = new TcpConnection(channel, remote, options.format(), options.maxFrameLength(), counters,
        errorLog, true);
    return install(c, new TcpInbound(c, handler, limits, ssl != null), limits.partialFrameTimeout().toNanos());
  }

  private static TcpConnection install(TcpConnection c, TcpInbound inbound, long partialFrameTimeoutNanos) {
    c.channel.pipeline()
        .addLast("flush-consolidation", new FlushConsolidationHandler(FLUSHES_PER_READ, false))
        .addLast("frame-decoder", new TcpFrameDecoder(c.format, c.maxFrameLength(), partialFrameTimeoutNanos))
        .addLast("connection", inbound);
    return c;
  }
}
