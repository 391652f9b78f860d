package io.peerlink.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One misbehaving peer of the soak: a loop of raw-socket connections to the peer port, each
 * misbehaving in one way, from its own loopback address (127.0.0.x) so the per-address cap sees
 * distinct peers. Every connection is bounded in time by a socket timeout; the loop by a count and
 * a deadline. It never fails the test: the node's reaction (closing it) is what it provokes.
 */
final class HostileClient implements Runnable {

  /** How a hostile client misbehaves. */
  enum Behaviour {
    /** A frame of random bytes (answered with {@code error}), then a header over the frame cap. */
    GARBAGE,
    /** One byte per second of a frame, until the partial-frame timeout closes the connection. */
    SLOWLORIS,
    /** A header for 100 bytes and 50 of them, then silence. */
    HALF_FRAME,
    /** Connects and closes at once (RST), at about 20 connections a second. */
    CONNECT_AND_DROP,
    /** Connects and sends nothing until the idle timeout closes it. */
    CONNECT_AND_IDLE
  }

  private static final int MAX_CONNECTIONS = 100_000;

  private final Behaviour behaviour;
  private final InetAddress from;
  private final InetSocketAddress node;
  private final long deadlineNanos;
  private final Random random;
  private final AtomicLong connections;
  private volatile boolean stopped;

  HostileClient(Behaviour behaviour, InetAddress from, InetSocketAddress node, long deadlineNanos, long seed,
      AtomicLong connections) {
    this.behaviour = behaviour;
    this.from = from;
    this.node = node;
    this.deadlineNanos = deadlineNanos;
    this.random = new Random(seed);
    this.connections = connections;
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    for (int i = 0; i < MAX_CONNECTIONS && !stopped && System.nanoTime() < deadlineNanos; i++) {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(from, 0));
        s.connect(node, 2_000);
        connections.incrementAndGet();
        // Reads double as the pacing: a read that times out after 1 s is the slowloris' clock.
        s.setSoTimeout(1_000);
        misbehave(s, s.getInputStream(), s.getOutputStream());
      } catch (IOException e) {
        // Closed by the node (the point), refused over a cap, or reset: next connection.
      }
    }
  }

  private void misbehave(Socket s, InputStream in, OutputStream out) throws IOException {
    switch (behaviour) {
      case GARBAGE:
        byte[] junk = new byte[1 + random.nextInt(64)];
        random.nextBytes(junk);
        out.write(ByteBuffer.allocate(4).putInt(junk.length).array());
        out.write(junk);
        readUntilClosedOr(in, 1); // the error answer, or a close
        out.write(new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // 2 GiB: over the cap
        readUntilClosedOr(in, 5);
        break;
      case SLOWLORIS:
        out.write(new byte[] {0, 0, 0, 100});
        for (int i = 0; i < 30 && !stopped && System.nanoTime() < deadlineNanos; i++) {
          if (readUntilClosedOr(in, 1)) {
            return;
          }
          out.write(random.nextInt(256)); // one byte per second
        }
        break;
      case HALF_FRAME:
        out.write(new byte[] {0, 0, 0, 100});
        out.write(new byte[50]);
        readUntilClosedOr(in, 5);
        break;
      case CONNECT_AND_DROP:
        s.setSoLinger(true, 0);
        s.close();
        // Pacing the churn (not waiting for a condition): ~20 connections a second per client.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        break;
      case CONNECT_AND_IDLE:
        readUntilClosedOr(in, 5);
        break;
      default:
        throw new AssertionError(behaviour);
    }
  }

  /** Reads (and discards) for up to {@code seconds} 1-s timeouts; true when the node closed. */
  private boolean readUntilClosedOr(InputStream in, int seconds) throws IOException {
    byte[] buf = new byte[4096];
    for (int i = 0; i < seconds && !stopped; i++) {
      try {
        while (true) {
          if (in.read(buf) < 0) {
            return true;
          }
        }
      } catch (SocketTimeoutException e) {
        // a second passed without a byte or a close
      }
    }
    return false;
  }
}
