package io.peerlink.it.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Flood (b): connections that pipeline get_blocks_range requests and never read an answer, what
 * drove the master from 258 MB to 1 GB before it bounded the answers a connection may leave
 * unread. One thread writes every connection's requests (a fixed number each) without blocking,
 * as far as the master takes them, until they are all written or the flood is stopped.
 */
final class UnreadRanges implements AutoCloseable {

  private final List<SocketChannel> channels = new ArrayList<>();
  private final List<ByteBuffer> pending = new ArrayList<>();
  private final Thread writer;
  private volatile boolean stopped;
  private volatile long bytesWritten;
  private int connectFailures;

  private UnreadRanges(InetSocketAddress master, int connections, int addresses, int requests, RangeRequests ranges) {
    for (int c = 0; c < connections; c++) {
      try {
        SocketChannel ch = LoopbackSources.connect(LoopbackSources.attacker(1, c % addresses), master);
        ch.configureBlocking(false);
        channels.add(ch);
        pending.add(ranges.frames(c, requests));
      } catch (IOException e) {
        connectFailures++;
      }
    }
    writer = new Thread(this::write, "flood-unread-writer");
    writer.setDaemon(true);
  }

  /** Opens the connections ({@code connections} over {@code addresses} addresses of flood 1) and starts writing. */
  static UnreadRanges start(InetSocketAddress master, int connections, int addresses, int requests,
      RangeRequests ranges) {
    UnreadRanges u = new UnreadRanges(master, connections, addresses, requests, ranges);
    u.writer.start();
    return u;
  }

  int connected() {
    return channels.size();
  }

  int connectFailures() {
    return connectFailures;
  }

  /** Requests written so far, across all connections. */
  long requestsWritten() {
    return bytesWritten / RangeRequests.FRAME_BYTES;
  }

  private void write() {
    long written = 0;
    boolean left = true;
    while (left && !stopped) {
      left = false;
      boolean progress = false;
      for (int i = 0; i < channels.size() && !stopped; i++) {
        ByteBuffer b = pending.get(i);
        if (!b.hasRemaining()) {
          continue;
        }
        try {
          int n = channels.get(i).write(b);
          written += n;
          progress |= n > 0;
          left |= b.hasRemaining();
        } catch (IOException e) {
          b.position(b.limit()); // closed by the master: nothing more to write there
        }
      }
      bytesWritten = written;
      if (left && !progress) {
        // Every socket is full (the master stopped reading): look again shortly, until stopped.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    writer.join(10_000);
    LoopbackSources.closeAll(channels);
  }
}
