package io.peerlink.it.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Flood (c): connections reading get_blocks_range answers as fast as they can, each from an
 * address of its own (so each has the whole per-address budget of
 * {@code limits.peer_rpc.range_blocks_per_second}): ask, read the whole answer, ask again. What
 * pushed an honest peer's status latency to 0.7 s before the budget existed. Each thread stops
 * when stopped or after {@link #MAX_REQUESTS} requests; a connection the master closes is
 * re-opened.
 */
final class RangeReaders implements AutoCloseable {

  private static final long MAX_REQUESTS = 10_000_000;
  /** Largest answer accepted: the master's 8 MiB per range answer, and its header. */
  private static final int MAX_ANSWER = 8 * 1024 * 1024 + 1024;
  /** The first byte of a {@code get_blocks_range_response} (field 21, length-delimited). */
  private static final byte RANGE_TAG = (byte) 0xaa;

  private final InetSocketAddress master;
  private final RangeRequests ranges;
  private final List<Thread> threads = new ArrayList<>();
  private final List<SocketChannel> open = new ArrayList<>(); // guarded by itself
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong answerBytes = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicInteger answering = new AtomicInteger();
  private volatile boolean stopped;

  private RangeReaders(InetSocketAddress master, RangeRequests ranges) {
    this.master = master;
    this.ranges = ranges;
  }

  /** Starts {@code n} readers, from addresses 0..n-1 of flood 2. */
  static RangeReaders start(InetSocketAddress master, int n, RangeRequests ranges) {
    RangeReaders r = new RangeReaders(master, ranges);
    for (int i = 0; i < n; i++) {
      int id = i;
      Thread t = new Thread(() -> r.read(id), "flood-reader-" + i);
      t.setDaemon(true);
      r.threads.add(t);
      t.start();
    }
    return r;
  }

  /** Waits until every reader has had an answer, so the flood is at full strength. */
  void awaitAllAnswering(long deadlineNanos) throws InterruptedException {
    while (answering.get() < threads.size()) {
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("only " + answering.get() + " of " + threads.size()
            + " range readers had an answer by the deadline");
      }
      Thread.sleep(10); // poll interval of a wait bounded by the deadline
    }
  }

  /** Range answers with blocks so far. */
  long served() {
    return served.get();
  }

  /** Answers that were {@code error}s (the master's per-address range budget) so far. */
  long refused() {
    return refused.get();
  }

  long answerBytes() {
    return answerBytes.get();
  }

  long reconnects() {
    return reconnects.get();
  }

  private void read(int id) {
    ByteBuffer header = ByteBuffer.allocate(4);
    ByteBuffer body = ByteBuffer.allocate(64 * 1024);
    boolean counted = false;
    long i = 0;
    while (!stopped && i < MAX_REQUESTS) {
      try (SocketChannel c = LoopbackSources.connect(LoopbackSources.attacker(2, id), master)) {
        synchronized (open) {
          open.add(c);
        }
        while (!stopped && i < MAX_REQUESTS) {
          c.write(ByteBuffer.wrap(ranges.frame(id, i++)));
          header.clear();
          fill(c, header);
          int length = header.flip().getInt();
          if (length <= 0 || length > MAX_ANSWER) {
            throw new IOException("answer length " + Integer.toUnsignedString(length));
          }
          byte first = skip(c, body, length);
          (first == RANGE_TAG ? served : refused).incrementAndGet();
          answerBytes.addAndGet(length + 4L);
          if (!counted) {
            counted = true;
            answering.incrementAndGet();
          }
        }
      } catch (IOException e) {
        if (!stopped) {
          reconnects.incrementAndGet();
        }
      }
      synchronized (open) {
        open.removeIf(c -> !c.isOpen());
      }
    }
  }

  private static void fill(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new IOException("closed by the master");
      }
    }
  }

  /** Reads and drops {@code length} bytes; returns the first. */
  private static byte skip(SocketChannel c, ByteBuffer buffer, int length) throws IOException {
    byte first = 0;
    int left = length;
    boolean start = true;
    while (left > 0) {
      buffer.clear().limit(Math.min(buffer.capacity(), left));
      fill(c, buffer);
      if (start) {
        first = buffer.get(0);
        start = false;
      }
      left -= buffer.limit();
    }
    return first;
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    synchronized (open) {
      LoopbackSources.closeAll(open); // unblocks readers waiting on an answer
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
