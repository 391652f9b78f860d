package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The honest peer: from 127.0.0.2, the master's configured peer, it asks what a node's discovery
 * round asks a peer's master (get_current_epoch and get_last_block_number, pipelined in one
 * write) on a fresh connection each time, as a round that dials its peers does; a connection the
 * master refuses is a failure, as it would be for that round. An answer counts only when it is
 * right: the epoch and the last block of the chain the master was fed. Each probe has 5 s to
 * connect and 5 s per answer (the seed's Rust client's read timeout for status calls).
 */
final class HonestPeer {

  private static final int TIMEOUT_MS = 5_000;
  private static final int MAX_ANSWER = 64 * 1024;
  private static final int FAILURES_KEPT = 5;
  /** A probe slower than this is described (when it was sent, connect and answer times) in the results. */
  private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** Probes in flight at most: a busy peer's few concurrent requests, well under the per-address cap. */
  private static final int IN_FLIGHT = 16;

  private final InetSocketAddress master;
  private final long lastBlock;
  private final byte[] request;

  HonestPeer(InetSocketAddress master, long lastBlock) {
    this.master = master;
    this.lastBlock = lastBlock;
    byte[] epoch = new Request.GetCurrentEpoch().encode();
    byte[] block = new Request.GetLastBlockNumber().encode();
    this.request = ByteBuffer.allocate(8 + epoch.length + block.length)
        .putInt(epoch.length).put(epoch).putInt(block.length).put(block).array();
  }

  /**
   * Probes on a fixed schedule, one every {@code pace}, until {@code window} has passed or
   * {@code maxProbes} were due (whichever comes first), recording each into {@code into}. Each
   * probe is sent when due, whether or not earlier ones were answered (up to {@link #IN_FLIGHT}
   * at once, past which they queue), and its latency runs from the moment it was due: a stall of
   * the master counts against every probe due during it (no coordinated omission), so the
   * percentiles are what a request arriving at any moment of the phase would have seen.
   */
  void run(Duration window, Duration pace, int maxProbes, FloodResults.Honest into) throws InterruptedException {
    ExecutorService senders = Executors.newFixedThreadPool(IN_FLIGHT, r -> {
      Thread t = new Thread(r, "honest-peer");
      t.setDaemon(true);
      return t;
    });
    try {
      long start = System.nanoTime();
      long end = start + window.toNanos();
      for (int i = 0; i < maxProbes; i++) {
        long due = start + i * pace.toNanos();
        if (due >= end) {
          break;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait); // the schedule (a load shape, not a wait for a condition)
        }
        senders.execute(() -> probeDue(due, start, into));
      }
    } finally {
      senders.shutdown();
      // Every probe ends within its connect and read timeouts; queued ones follow.
      if (!senders.awaitTermination(5 * TIMEOUT_MS + window.toMillis(), TimeUnit.MILLISECONDS)) {
        senders.shutdownNow();
      }
    }
  }

  private void probeDue(long due, long start, FloodResults.Honest into) {
    try {
      long sent = System.nanoTime();
      long connected = probe();
      long now = System.nanoTime();
      into.ok(now - due);
      if (now - sent > SLOW_NANOS) {
        into.slow(String.format(Locale.ROOT, "sent at %.1f s: connect %.0f ms, answers %.0f ms",
            (sent - start) / 1e9, (connected - sent) / 1e6, (now - connected) / 1e6), FAILURES_KEPT);
      }
    } catch (IOException e) {
      into.failed(e.toString(), FAILURES_KEPT);
    }
  }

  /** One probe: connect, ask, check both answers; returns when the connection was made (nanoTime). */
  long probe() throws IOException {
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(TIMEOUT_MS);
      s.bind(new InetSocketAddress(LoopbackSources.HONEST, 0));
      s.connect(master, TIMEOUT_MS);
      long connected = System.nanoTime();
      s.getOutputStream().write(request);
      DataInputStream in = new DataInputStream(s.getInputStream());
      Response epoch = answer(in);
      Response block = answer(in);
      if (!(epoch instanceof Response.CurrentEpoch e) || e.epoch() != FloodMaster.EPOCH) {
        throw new IOException("get_current_epoch answered " + epoch + ", expected epoch " + FloodMaster.EPOCH);
      }
      if (!(block instanceof Response.LastBlockNumber b) || b.lastBlockNumber() != lastBlock) {
        throw new IOException("get_last_block_number answered " + block + ", expected block " + lastBlock);
      }
      return connected;
    }
  }

  private static Response answer(DataInputStream in) throws IOException {
    int length = readLength(in);
    if (length <= 0 || length > MAX_ANSWER) {
      throw new IOException("answer length " + Integer.toUnsignedString(length) + ", expected 1-" + MAX_ANSWER);
    }
    byte[] body = new byte[length];
    in.readFully(body);
    try {
      return Response.decode(body);
    } catch (ProtocolException e) {
      throw new IOException("undecodable answer: " + e.getMessage(), e);
    }
  }

  // A clean end of stream before the header is the master closing the connection: say so.
  private static int readLength(DataInputStream in) throws IOException {
    int first = ((InputStream) in).read();
    if (first < 0) {
      throw new IOException("the master closed the connection before answering");
    }
    return (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
  }
}
