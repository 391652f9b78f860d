package io.peerlink.it.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;

/**
 * Source addresses in 127.0.0.0/8 (all routed to loopback on Linux), so the master's per-address
 * limits see the honest peer and each attacker as the distinct hosts they would be: the honest
 * peer is 127.0.0.2 (the one configured as a peer), flood {@code k}'s i-th address is
 * 127.(10+k).(i / 250).(1 + i % 250).
 */
final class LoopbackSources {

  /** The honest peer's address, configured in the master's {@code peer_rpc_addresses}. */
  static final InetAddress HONEST = of(127, 0, 0, 2);

  private LoopbackSources() {
  }

  /** The {@code i}-th source address of flood {@code flood} (0-based). */
  static InetAddress attacker(int flood, int i) {
    return of(127, 10 + flood, i / 250, 1 + i % 250);
  }

  /** A blocking TCP connection from {@code from} to {@code to}. */
  static SocketChannel connect(InetAddress from, InetSocketAddress to) throws IOException {
    SocketChannel c = SocketChannel.open();
    try {
      c.setOption(StandardSocketOptions.TCP_NODELAY, true);
      c.bind(new InetSocketAddress(from, 0));
      c.connect(to);
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw new IOException("connect from " + from.getHostAddress() + " to " + to + ": " + e.getMessage(), e);
    }
  }

  /** Closes every connection, ignoring failures (a flood's connections, at the end of its phase). */
  static void closeAll(java.util.Collection<SocketChannel> channels) {
    for (SocketChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        // closing a flood connection: nothing to do with the error
      }
    }
  }

  private static InetAddress of(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e); // four bytes are always an address
    }
  }
}
