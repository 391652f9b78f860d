package io.peerlink.transport.api.testing;

import io.peerlink.transport.api.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A client that writes and reads raw bytes, for behaviour a well-behaved transport client never
 * shows: half frames, silence, pipelining without reading. TCP and Unix endpoints alike (the JDK's
 * {@link SocketChannel} speaks both). Every operation has a deadline.
 */
public final class RawClient implements AutoCloseable {

  private final SocketChannel channel;
  private final Selector selector;

  private RawClient(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(false);
    this.selector = Selector.open();
  }

  /**
   * Connects to {@code endpoint} (tcp or unix).
   *
   * @param receiveBuffer SO_RCVBUF to set before connecting (TCP), or 0 to leave the default
   */
  public static RawClient connect(Endpoint endpoint, int receiveBuffer) throws IOException {
    SocketAddress address;
    SocketChannel ch;
    if (endpoint.isUnix()) {
      address = UnixDomainSocketAddress.of(endpoint.path());
      ch = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    } else if (endpoint.isTcp()) {
      address = new InetSocketAddress(endpoint.host(), endpoint.port());
      ch = SocketChannel.open();
      if (receiveBuffer > 0) {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
      }
    } else {
      throw new IllegalArgumentException("a raw client speaks tcp and unix only, not " + endpoint);
    }
    try {
      ch.connect(address);
      return new RawClient(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Writes all bytes, waiting for room up to {@code timeout}. */
  public void write(byte[] bytes, Duration timeout) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (buf.hasRemaining()) {
      if (channel.write(buf) == 0) {
        waitFor(SelectionKey.OP_WRITE, deadline, "room to write");
      }
    }
  }

  /** Reads exactly {@code n} bytes within {@code timeout}. */
  public byte[] readFully(int n, Duration timeout) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (buf.hasRemaining()) {
      int r = channel.read(buf);
      if (r < 0) {
        throw new IOException("the peer closed after " + buf.position() + " of " + n + " bytes");
      }
      if (r == 0) {
        waitFor(SelectionKey.OP_READ, deadline, n + " bytes");
      }
    }
    return buf.array();
  }

  /**
   * Waits until the peer closes (end of stream or a reset), discarding whatever arrives.
   *
   * @return whether it closed within {@code timeout}
   */
  public boolean awaitClosed(Duration timeout) throws IOException {
    ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int r;
      try {
        r = channel.read(sink);
      } catch (IOException reset) {
        return true;
      }
      if (r < 0) {
        return true;
      }
      sink.clear();
      if (r == 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        channel.register(selector, SelectionKey.OP_READ);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
      }
    }
  }

  private void waitFor(int op, long deadline, String what) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IOException("timed out waiting for " + what);
    }
    channel.register(selector, op);
    selector.select(Math.max(1, left / 1_000_000));
    selector.selectedKeys().clear();
  }

  @Override
  public void close() throws IOException {
    try {
      selector.close();
    } finally {
      channel.close();
    }
  }
}
