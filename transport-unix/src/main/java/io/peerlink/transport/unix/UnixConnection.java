package io.peerlink.transport.unix;

import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.ListenerCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * One Unix socket connection, dialled or accepted: the socket, its {@link UnixReader} (a thread of
 * its own) and its {@link UnixWriter} (which alone owns the queue of frames waiting for room).
 * Closing once with a cause, the send checks, and counting and logging an accepted connection's
 * failures are {@link AbstractConnection}'s.
 *
 * <p>Closing shuts the socket down, so that the peer sees the end at once, and wakes the reader,
 * which releases the socket, fails what is still queued and tells the handler.
 */
final class UnixConnection extends AbstractConnection {

  private static final System.Logger LOG = System.getLogger(UnixConnection.class.getName());

  private final UnixListener listener; // null for a dialled connection
  private final AFUNIXSocket socket;
  private final AFUNIXSocketChannel channel;
  private final FrameFormat format;
  private final ConnectionHandler connectionHandler; // accepted connections: asked for the frame handler
  private final PeerCredentials peerCredentials;
  private final UnixWriter writer;
  private final UnixReader reader;
  private volatile FrameHandler handler;

  private UnixConnection(WriteFlusher flusher, UnixListener listener, AFUNIXSocket socket,
      PeerCredentials peerCredentials, Endpoint remote, FrameFormat format, int maxFrameLength, FrameHandler handler,
      ConnectionHandler connectionHandler) throws IOException {
    super(remote, maxFrameLength, listener != null ? listener.counters() : ListenerCounters.none(),
        listener != null ? listener.connectionErrorLog() : null);
    this.listener = listener;
    this.socket = socket;
    this.format = format;
    this.handler = handler;
    this.connectionHandler = connectionHandler;
    this.peerCredentials = peerCredentials;
    channel = (AFUNIXSocketChannel) socket.getChannel();
    channel.configureBlocking(false);
    writer = new UnixWriter(this, channel, flusher);
    reader = new UnixReader(this, writer, socket, channel, format, maxFrameLength,
        listener != null ? listener.limits() : null);
  }

  /** A connection this process dialled; {@code handler} gets its frames. */
  static UnixConnection dialled(WriteFlusher flusher, AFUNIXSocket socket, Endpoint remote, FrameFormat format,
      int maxFrameLength, FrameHandler handler) throws IOException {
    return new UnixConnection(flusher, null, socket, UnixSockets.readPeerCredentials(socket), remote, format,
        maxFrameLength, handler, null);
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
    return "peerlink-unix-conn-" + (listener != null ? "in-" : "out-") + id + "-" + remote().path();
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return Optional.ofNullable(peerCredentials);
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    Throwable refused = sendRefusal(frame);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    return writer.send(ByteBuffer.wrap(format.encode(frame)));
  }

  /** A frame was written whole: the reader counts it as an answer and as traffic. */
  void frameWritten() {
    reader.frameWritten();
  }

  /** The reader must watch for room to write. */
  void wakeReader() {
    reader.wakeup();
  }

  /** On the {@link WriteFlusher}'s thread: writes what is queued, as far as the socket takes it. */
  void flushQueued(SelectionKey flusherKey) {
    writer.flushQueued(flusherKey);
  }

  @Override
  protected void closeIo() {
    try {
      channel.shutdownOutput();
      channel.shutdownInput();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "shutting down the connection to " + remote() + " failed: " + e);
    }
    reader.wakeup();
  }

  /** Releases a connection whose reader thread never started; no handler is notified. */
  void discard() {
    discarded();
    reader.release();
    UnixSockets.closeQuietly(socket);
    if (listener != null) {
      listener.connectionEnded();
    }
  }

  /** The reader thread's body: connection handler, frames, then the close notification. */
  void readLoop() {
    Throwable cause = null;
    try {
      if (connectionHandler != null) {
        handler = askConnectionHandler(connectionHandler);
      }
      FrameHandler h = handler;
      cause = h == null ? closeCause() : reader.readFrames(h);
    } catch (RuntimeException | Error e) {
      cause = e;
      throw e;
    } finally {
      closeWith(cause);
      reader.release();
      UnixSockets.closeQuietly(socket);
      writer.failQueued();
      if (listener != null) {
        listener.connectionEnded();
      }
      closed(handler);
    }
  }

  @Override
  public String toString() {
    return "UnixConnection[" + (listener != null ? "accepted on " : "to ") + remote() + (isClosed() ? ", closed" : "")
        + "]";
  }
}
