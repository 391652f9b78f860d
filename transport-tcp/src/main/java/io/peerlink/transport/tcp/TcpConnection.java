package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection, the {@link Connection} users hold: sends, through a {@link WriteQueue}, and
 * the close. What arrives is handled by its {@link TcpInbound}, the last handler of the channel's
 * pipeline; closing once with a cause is {@link AbstractConnection}'s.
 *
 * <p>A frame with file ranges ({@link #send(OutgoingFrame)}) leaves without being read into the
 * process: its ranges go to the kernel ({@code sendfile(2)} on epoll, {@code transferTo} on NIO).
 * Over TLS the bytes must be encrypted here, so such a frame is read into an array as any other.
 */
final class TcpConnection extends AbstractConnection {

  final Channel channel;
  final FrameFormat format;
  private final WriteQueue writes;
  private final boolean accepted;
  private final boolean tls;
  private TcpInbound inbound; // set once, before the channel is registered

  TcpConnection(Channel channel, Endpoint remote, FrameFormat format, int maxFrameLength, ListenerCounters counters,
      RateLimitedLog errorLog, boolean accepted) {
    super(remote, maxFrameLength, counters, errorLog);
    this.channel = channel;
    this.format = format;
    this.accepted = accepted;
    this.writes = new WriteQueue(channel);
    this.tls = channel.pipeline().get(SslHandler.class) != null; // added before the connection is made
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
    Throwable refused = orGone(sendRefusal(frame));
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    // Header and payload in pooled direct buffers: one copy, one (gathering) write.
    ByteBuf buf = FrameBuffers.encode(channel.alloc(), format, frame);
    CompletableFuture<Void> sent = new CompletableFuture<>();
    writes.write(buf, promise(sent, null));
    return sent;
  }

  @Override
  public CompletableFuture<Void> send(OutgoingFrame frame) {
    if (frame == null || tls || !frame.hasFileRanges()) {
      return super.send(frame); // read into one array: today's path
    }
    Throwable refused = orGone(sendRefusalOfLength(frame.length()));
    if (refused == null) {
      try {
        frame.checkFileRanges(); // now, so a bad range fails the frame before any of it is written
      } catch (IOException e) {
        refused = new TransportException(remote(), TransportException.Kind.IO, "cannot send the frame: "
            + e.getMessage(), e);
      }
    }
    if (refused != null) {
      frame.close();
      return CompletableFuture.failedFuture(refused);
    }
    List<Object> messages;
    try {
      messages = FrameBuffers.encode(channel.alloc(), format, frame);
    } catch (RuntimeException | Error e) {
      frame.close();
      throw e;
    }
    CompletableFuture<Void> sent = new CompletableFuture<>();
    writes.write(messages, promise(sent, frame));
    return sent;
  }

  /** {@code refused}, or when nothing refused the frame but the channel has gone, why it cannot be sent. */
  private Throwable orGone(Throwable refused) {
    return refused == null && !channel.isActive() ? closedError("cannot send") : refused;
  }

  /**
   * The promise of one frame's write: it counts the answer for the pipelining bound, closes the
   * frame (when it has one) and completes {@code sent}. A file-backed frame that failed while the
   * connection was still up may have been written in part: the peer would read the next frame's
   * bytes as the rest of this one, so the connection is closed.
   */
  private ChannelPromise promise(CompletableFuture<Void> sent, OutgoingFrame frame) {
    ChannelPromise promise = channel.newPromise();
    promise.addListener(f -> {
      if (frame != null) {
        frame.close();
        if (!f.isSuccess() && channel.isActive()) {
          closeWith(new TransportException(remote(), TransportException.Kind.IO,
              "a frame sent from a file failed part way, closing the connection: " + f.cause(), f.cause()));
        }
      }
      if (accepted) {
        inbound.answerWritten();
      }
      if (f.isSuccess()) {
        sent.complete(null);
      } else {
        sent.completeExceptionally(closedError("the frame was not sent", f.cause()));
      }
    });
    return promise;
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
