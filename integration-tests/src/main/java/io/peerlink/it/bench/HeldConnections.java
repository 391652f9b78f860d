package io.peerlink.it.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Flood (a): connections opened from many addresses and held, sending nothing: what filled every
 * slot of the peer port before it kept some for its configured peers. The master admits what its
 * limits allow and closes the rest at accept; the ones it admitted stay open (idle until its idle
 * timeout, longer than a phase).
 */
final class HeldConnections implements AutoCloseable {

  private final List<SocketChannel> channels = new ArrayList<>();
  private int connectFailures;

  /** Opens {@code perAddress} connections from each of {@code addresses} addresses of flood 0. */
  static HeldConnections open(InetSocketAddress master, int addresses, int perAddress) {
    HeldConnections held = new HeldConnections();
    for (int a = 0; a < addresses; a++) {
      for (int i = 0; i < perAddress; i++) {
        try {
          held.channels.add(LoopbackSources.connect(LoopbackSources.attacker(0, a), master));
        } catch (IOException e) {
          held.connectFailures++;
        }
      }
    }
    return held;
  }

  /** Connections the kernel completed (the master may since have closed some). */
  int connected() {
    return channels.size();
  }

  int connectFailures() {
    return connectFailures;
  }

  /** Connections the master has not closed: a read finds neither an end of stream nor a reset. */
  int stillOpen() {
    int open = 0;
    ByteBuffer one = ByteBuffer.allocate(1);
    for (SocketChannel c : channels) {
      try {
        c.configureBlocking(false);
        one.clear();
        if (c.read(one) >= 0) {
          open++;
        }
      } catch (IOException e) {
        // reset by the master: closed
      }
    }
    return open;
  }

  @Override
  public void close() {
    LoopbackSources.closeAll(channels);
    channels.clear();
  }
}
