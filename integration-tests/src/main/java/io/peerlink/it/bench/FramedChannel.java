package io.peerlink.it.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Blocking 4-byte big-endian framing over a JDK {@link SocketChannel}: the raw baseline's whole
 * protocol stack. Reads are buffered (one read syscall can bring several pipelined frames) and each
 * frame is written with one write; nothing else happens between the socket and the caller.
 * Not thread-safe: one reader and one writer at most, each on its own thread.
 */
final class FramedChannel implements AutoCloseable {

  /** Same cap as peerlink's default maximum frame length. */
  static final int MAX_FRAME = 16 * 1024 * 1024;

  private final SocketChannel channel;
  private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
  private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);

  FramedChannel(SocketChannel channel) {
    this.channel = channel;
    in.flip(); // empty, ready to be read from
  }

  SocketChannel channel() {
    return channel;
  }

  /** The next frame's payload, or null when the peer closed between frames. */
  byte[] readFrame() throws IOException {
    if (!fill(4)) {
      return null;
    }
    long length = in.getInt() & 0xFFFF_FFFFL;
    if (length > MAX_FRAME) {
      throw new IOException("frame length " + length + " exceeds the maximum of " + MAX_FRAME);
    }
    byte[] payload = new byte[(int) length];
    int off = Math.min(in.remaining(), payload.length);
    in.get(payload, 0, off);
    while (off < payload.length) {
      if (!fill(1)) {
        throw new EOFException("stream ended after " + off + " of " + payload.length + " frame bytes");
      }
      int n = Math.min(in.remaining(), payload.length - off);
      in.get(payload, off, n);
      off += n;
    }
    return payload;
  }

  /** Writes one frame, header and payload in one write. */
  void writeFrame(byte[] payload) throws IOException {
    out.clear();
    if (payload.length + 4 > out.capacity()) {
      ByteBuffer big = ByteBuffer.allocate(payload.length + 4);
      big.putInt(payload.length).put(payload).flip();
      writeFully(big);
      return;
    }
    out.putInt(payload.length).put(payload).flip();
    writeFully(out);
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  // Ensures `need` bytes are buffered; false at a clean end of stream before any of them.
  private boolean fill(int need) throws IOException {
    if (in.remaining() >= need) {
      return true;
    }
    in.compact();
    try {
      while (in.position() < need) {
        if (channel.read(in) < 0) {
          if (in.position() == 0) {
            return false;
          }
          throw new EOFException("stream ended inside a frame header");
        }
      }
    } finally {
      in.flip();
    }
    return true;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing: nothing left to do with the error
    }
  }
}
