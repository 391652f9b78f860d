package io.peerlink.transport.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link BlockingConnection} over a blocking JDK {@link SocketChannel}: one read system call
 * brings whatever has arrived (often several pipelined frames), and each frame is written with one
 * write. Nothing runs between the socket and the caller.
 */
final class ChannelBlockingConnection implements BlockingConnection {

  private static final int BUFFER_BYTES = 64 * 1024;

  private final SocketChannel channel;
  private final Endpoint remote;
  private final FrameFormat format;
  private final int maxFrameLength;
  private final PeerCredentials credentials;
  private final Object readLock = new Object();
  private final Object writeLock = new Object();
  private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES); // guarded by readLock
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES); // guarded by writeLock
  private final byte[] header = new byte[FrameFormat.MAX_VARINT_BYTES]; // guarded by writeLock
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private volatile TransportException closedBecause;

  private ChannelBlockingConnection(SocketChannel channel, Endpoint remote, ConnectOptions options,
      PeerCredentials credentials) {
    this.channel = channel;
    this.remote = remote;
    this.format = options.format();
    this.maxFrameLength = options.maxFrameLength();
    this.credentials = credentials;
    in.flip(); // empty, ready to be read from
  }

  static BlockingConnection open(SocketChannel channel, Endpoint remote, ConnectOptions options,
      PeerCredentials credentials) throws TransportException {
    try {
      channel.configureBlocking(true);
    } catch (IOException | IllegalBlockingModeException e) { // the latter: registered with a selector
      try {
        channel.close();
      } catch (IOException ignored) {
        // the configure failure is the one reported
      }
      throw new TransportException(remote, TransportException.Kind.IO, "cannot make the channel blocking: " + e, e);
    }
    return new ChannelBlockingConnection(channel, remote, options, credentials);
  }

  @Override
  public Endpoint remote() {
    return remote;
  }

  @Override
  public Optional<PeerCredentials> peerCredentials() {
    return Optional.ofNullable(credentials);
  }

  @Override
  public byte[] receive() throws TransportException {
    synchronized (readLock) {
      if (closed.get()) {
        throw closedError();
      }
      try {
        long header;
        while ((header = format.decodeHeader(in, maxFrameLength)) == FrameFormat.NEED_MORE) {
          if (!fill()) {
            throw fail(in.hasRemaining()
                ? new TransportException(remote, TransportException.Kind.CLOSED,
                    "the peer closed the connection inside a frame header")
                : new TransportException(remote, TransportException.Kind.CLOSED, "connection closed by peer"));
          }
        }
        in.position(in.position() + FrameFormat.headerLengthOf(header));
        return payload(FrameFormat.payloadLengthOf(header));
      } catch (FrameFormatException e) {
        throw fail(new TransportException(remote, TransportException.Kind.BAD_FRAME, e.getMessage(), e));
      } catch (IOException e) {
        throw fail(e);
      }
    }
  }

  // Grown as bytes arrive rather than sized from the header, so a peer that announces the maximum
  // and sends nothing more costs one buffer, not the maximum.
  private byte[] payload(int total) throws IOException {
    byte[] payload = new byte[Math.min(total, BUFFER_BYTES)];
    int off = 0;
    while (off < total) {
      if (!in.hasRemaining() && !fill()) {
        throw fail(new TransportException(remote, TransportException.Kind.CLOSED,
            "the peer closed the connection after " + off + " of " + total + " frame bytes"));
      }
      if (off == payload.length) {
        payload = Arrays.copyOf(payload, (int) Math.min(total, 2L * payload.length));
      }
      int n = Math.min(in.remaining(), payload.length - off);
      in.get(payload, off, n);
      off += n;
    }
    return payload;
  }

  /** Reads more bytes after those not yet consumed; false at the end of the stream. */
  private boolean fill() throws IOException {
    if (closed.get()) {
      throw closedError();
    }
    in.compact();
    try {
      if (channel.read(in) < 0) {
        return false;
      }
    } catch (IOException e) {
      throw closed.get() ? closedError() : new TransportException(remote, TransportException.Kind.IO,
          "read failed: " + e.getMessage(), e);
    } finally {
      in.flip();
    }
    return true;
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    if (frame.length > maxFrameLength) {
      return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.BAD_FRAME,
          "frame of " + frame.length + " bytes exceeds the maximum of " + maxFrameLength + " bytes"));
    }
    synchronized (writeLock) {
      if (closed.get()) {
        return CompletableFuture.failedFuture(closedError());
      }
      try {
        ByteBuffer buffer;
        if (format.headerLength(frame.length) + frame.length <= out.capacity()) {
          out.clear();
          out.put(header, 0, format.writeHeader(frame.length, header, 0)).put(frame).flip();
          buffer = out;
        } else {
          buffer = ByteBuffer.wrap(format.encode(frame));
        }
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        return CompletableFuture.completedFuture(null);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(fail(closed.get() ? closedError()
            : new TransportException(remote, TransportException.Kind.IO, "write failed: " + e.getMessage(), e)));
      }
    }
  }

  private TransportException closedError() {
    TransportException why = closedBecause;
    return why != null ? why : new TransportException(remote, TransportException.Kind.CLOSED, "connection closed");
  }

  /** Closes the connection for this reason (the first reason given sticks) and returns it. */
  private TransportException fail(IOException cause) {
    TransportException error = cause instanceof TransportException ? (TransportException) cause
        : new TransportException(remote, TransportException.Kind.IO, String.valueOf(cause.getMessage()), cause);
    if (closedBecause == null && !closed.get()) {
      closedBecause = error;
    }
    close();
    return error;
  }

  @Override
  public boolean isOpen() {
    return !closed.get();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        channel.close(); // wakes a thread blocked in read or write
      } catch (IOException ignored) {
        // closing is best effort; the descriptor is released either way
      }
      closeFuture.complete(null);
    }
  }

  @Override
  public String toString() {
    return "BlockingConnection[" + remote + "]";
  }
}
