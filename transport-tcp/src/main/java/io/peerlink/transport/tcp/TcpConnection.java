package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection, the {@link Connection} users hold: sends, through a {@link WriteQueue}, and
 * the close. What arrives is handled by its {@link TcpInbound}, the last handler of the channel's
 * pipeline; closing once with a cause is {@link AbstractConnection}'s.
 */
final class TcpConnection extends AbstractConnection {

  final Channel channel;
  final FrameFormat format;
  private final WriteQueue writes;
  private final boolean accepted;
  private TcpInbound inbound; // set once, before the channel is registered

  TcpConnection(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength, ListenerCounters counters,
      RateLimitedLog errorLog, boolean accepted) {
    super(remote, maxFrameLength, counters, errorLog);
    this.channel = channel;
    this.format = format;
    this.accepted = accepted;
    this.writes = new WriteQueue(channel);
  }

  void inbound(TcpInbound handler) {
    this.inbound = handler;
  }

  /** For tests: the channel, to inspect its socket options. */
  Channel channel() {
    return channel;
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    Throwable refused = sendRefusal(frame);
    if (refused == null && !channel.isActive()) {
      refused = closedError("cannot send");
    }
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    // Header and payload in pooled direct buffers: one copy, one (gathering) write.
    ByteBuf buf = FrameBuffers.encode(channel.alloc(), format, frame);

    CompletableFuture<Void> sent = new CompletableFuture<>();
    ChannelPromise promise = channel.newPromise();
    promise.addListener(f -> {
      if (accepted) {
        inbound.answerWritten();
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
    return super.isOpen() && channel.isActive();
  }

  @Override
  protected void closeIo() {
    channel.close(); // the channel going inactive tells the handler (TcpInbound)
  }

  @Override
  public String toString() {
    return "TcpConnection[" + channel.localAddress() + " <-> " + remote() + (isOpen() ? "" : ", closed") + "]";
  }
}
