package io.peerlink.discovery.core.server;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One answer on its way to the connection: a {@link Response}, or a frame laid out already. A
 * {@code get_blocks_range} answer is a frame of the blocks' stored bytes
 * ({@link MasterState#encodedBlocks}, {@link Response.BlocksRange#frameOf}), never built as a
 * {@code Response}.
 *
 * <p>A frame may own open files, so an answer is used once: {@link #take()} hands its frame to
 * whoever sends it, or {@link #discard()} closes it when it will never be sent (the connection
 * closed first); whichever comes first wins, so the frame is closed exactly once either way.
 */
final class Answer {

  private final Response response; // null when a frame
  private final OutgoingFrame frame; // null when a response
  private final AtomicBoolean used = new AtomicBoolean();

  private Answer(Response response, OutgoingFrame frame) {
    this.response = response;
    this.frame = frame;
  }

  static Answer of(Response response) {
    return new Answer(response, null);
  }

  /** A successful answer laid out already, owned from now on: an error is always a {@link Response}, to be tallied. */
  static Answer of(OutgoingFrame frame) {
    return new Answer(null, frame);
  }

  /** The error this answer carries, else null. */
  Response.Error error() {
    return response instanceof Response.Error ? (Response.Error) response : null;
  }

  /** The frame to send, which the caller now owns; null when the answer was taken or discarded before. */
  OutgoingFrame take() {
    if (!used.compareAndSet(false, true)) {
      return null;
    }
    return frame != null ? frame : OutgoingFrame.of(response.encode());
  }

  /** Closes the frame unless it was taken: the answer will not be sent. */
  void discard() {
    if (used.compareAndSet(false, true) && frame != null) {
      frame.close();
    }
  }

  /**
   * Takes the answer and decodes it as a {@link Response} (tests): a frame is read whole and
   * closed. The decoded blocks view the array read ({@link Response#decode} takes it over).
   */
  Response response() {
    if (frame == null) {
      return response;
    }
    try (OutgoingFrame taken = take()) {
      if (taken == null) {
        throw new IllegalStateException("the answer was sent or discarded already");
      }
      return Response.decode(taken.toArray());
    } catch (ProtocolException e) {
      throw new IllegalStateException("an encoded answer does not decode: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("an answer's frame cannot be read: " + e.getMessage(), e);
    }
  }
}
