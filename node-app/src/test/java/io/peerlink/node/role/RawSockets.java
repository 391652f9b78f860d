package io.peerlink.node.role;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The client side of protocol tests, written with the JDK's own sockets so that the bytes on the
 * wire are the test's, not peerlink's. Every read has a deadline (the socket's blocking read is
 * bounded by the caller's test timeout; each call here reads exactly what it expects).
 */
final class RawSockets {

  private RawSockets() {
  }

  static SocketChannel unix(Path path) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(path));
    return ch;
  }

  static SocketChannel tcp(String host, int port) throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.connect(new InetSocketAddress(host, port));
    ch.socket().setTcpNoDelay(true);
    return ch;
  }

  /** A TCP connection from a given loopback source address (127.0.0.2, ...): another remote address. */
  static SocketChannel tcpFrom(String source, String host, int port) throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.bind(new InetSocketAddress(source, 0));
    ch.connect(new InetSocketAddress(host, port));
    ch.socket().setTcpNoDelay(true);
    return ch;
  }

  static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }

  static void write(SocketChannel ch, byte[] bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  static byte[] readExactly(SocketChannel ch, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new EOFException("closed after " + buf.position() + " of " + n + " bytes");
      }
    }
    return buf.array();
  }

  /** One whole query-channel frame: the 4-byte header and the payload. */
  static byte[] readFrame(SocketChannel ch) throws IOException {
    byte[] header = readExactly(ch, 4);
    int length = ByteBuffer.wrap(header).getInt();
    byte[] payload = readExactly(ch, length);
    return ByteBuffer.allocate(4 + length).put(header).put(payload).array();
  }

  static byte[] payload(byte[] frame) {
    byte[] p = new byte[frame.length - 4];
    System.arraycopy(frame, 4, p, 0, p.length);
    return p;
  }
}
