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
   * {@code maxProbes} were made (whichever comes first), recording each into {@code into}. A probe's
   * latency runs from the moment it was due, not from when it was sent: a stall of the master
   * delays every probe due meanwhile, and each of them counts it (no coordinated omission), so the
   * percentiles are what a request arriving at any moment of the phase would have seen.
   */
  void run(Duration window, Duration pace, int maxProbes, FloodResults.Honest into) {
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
      try {
        probe();
        into.ok(System.nanoTime() - due);
      } catch (IOException e) {
        into.failed(e.toString(), FAILURES_KEPT);
      }
    }
  }

  /** One probe: connect, ask, check both answers. */
  void probe() throws IOException {
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(TIMEOUT_MS);
      s.bind(new InetSocketAddress(LoopbackSources.HONEST, 0));
      s.connect(master, TIMEOUT_MS);
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
