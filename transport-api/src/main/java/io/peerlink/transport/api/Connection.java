package io.peerlink.transport.api;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An open connection that moves whole frames. The framing ({@link FrameFormat}) and the maximum
 * frame length were chosen when it was connected or accepted.
 *
 * <p>Implementations are thread-safe: frames sent from several threads are each written whole.
 */
public interface Connection extends AutoCloseable {

  /**
   * The other end: the endpoint dialled for an outgoing connection; for an accepted one, the
   * remote address (TCP) or the listener's path (Unix).
   */
  Endpoint remote();

  /**
   * Sends one frame; the header is added here.
   *
   * @return completes when the frame has been written, or exceptionally with a
   *     {@link TransportException} (e.g. {@link TransportException.Kind#BAD_FRAME} when the frame
   *     is longer than the maximum, {@link TransportException.Kind#CLOSED})
   */
  CompletableFuture<Void> send(byte[] frame);

  /**
   * Sends one frame laid out as pieces, taking it over: it is closed when written, failed or
   * refused. A transport that can send file ranges from the kernel does so; this default reads the
   * frame into one array ({@link OutgoingFrame#toArray()}) and sends that.
   *
   * @return as {@link #send(byte[])}; completes exceptionally with a {@link TransportException} of
   *     kind {@link TransportException.Kind#IO} when a file range cannot be read
   */
  default CompletableFuture<Void> send(OutgoingFrame frame) {
    byte[] bytes;
    try (frame) {
      bytes = frame.toArray();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new TransportException(remote(), TransportException.Kind.IO,
          "cannot read the frame to send: " + e.getMessage(), e));
    }
    return send(bytes);
  }

  /** The kernel-reported identity of the peer, for local sockets that support it. */
  default Optional<PeerCredentials> peerCredentials() {
    return Optional.empty();
  }

  /** Whether the connection is still open. */
  boolean isOpen();

  /** Completes when the connection has closed, for whatever reason. */
  CompletableFuture<Void> closeFuture();

  /** Closes the connection; idempotent. */
  @Override
  void close();
}
