package io.peerlink.node.role;

import io.peerlink.discovery.core.Responder;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A per-address budget of get_blocks_range blocks on the peer port, in front of the
 * {@link Responder}: each remote address may take {@code blocksPerSecond} blocks a second, with a
 * burst of one second's worth. A range request beyond the budget is answered at once with an
 * {@code error} naming the limit, and never reaches the chain, so a few addresses reading ranges
 * flat out cannot take the disk and the event loops from everyone else. A request is charged
 * what it asks for (up to {@link Responder#MAX_BLOCKS_PER_RANGE}); other requests pass freely.
 */
final class RangeRateLimit implements ConnectionHandler {
  /** Addresses remembered at most; full buckets are forgotten first past this. */
  private static final int MAX_ADDRESSES = 4096;

  private final ConnectionHandler next;
  private final long blocksPerSecond;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RangeRateLimit(ConnectionHandler next, long blocksPerSecond, LongSupplier nanoTime) {
    this.next = next;
    this.blocksPerSecond = blocksPerSecond;
    this.nanoTime = nanoTime;
  }

  @Override
  public FrameHandler onConnect(Connection connection) throws Exception {
    FrameHandler inner = next.onConnect(connection);
    String address = addressOf(connection.remote());
    return new FrameHandler() {
      @Override
      public void onFrame(Connection c, byte[] frame) throws Exception {
        long cost = rangeCost(frame);
        if (cost > 0 && !bucket(address).take(cost)) {
          c.send(new Response.Error("get_blocks_range refused: " + address + " asked for more than " + blocksPerSecond
              + " blocks a second (limits.peer_rpc.range_blocks_per_second); ask again later").encode());
          return;
        }
        inner.onFrame(c, frame);
      }

      @Override
      public void onClose(Connection c, Throwable cause) {
        inner.onClose(c, cause);
      }
    };
  }

  /** The blocks a get_blocks_range frame asks for; 0 for any other frame (malformed ones too). */
  private static long rangeCost(byte[] frame) {
    Request request;
    try {
      request = Request.decode(frame);
    } catch (ProtocolException e) {
      return 0; // the responder answers it with its own error
    }
    if (request instanceof Request.GetBlocksRange range) {
      long span = range.toBlock() - range.fromBlock();
      return span < 0 || span >= Responder.MAX_BLOCKS_PER_RANGE ? Responder.MAX_BLOCKS_PER_RANGE : span + 1;
    }
    return 0;
  }

  private Bucket bucket(String address) {
    Bucket b = buckets.get(address);
    if (b != null) {
      return b;
    }
    if (buckets.size() >= MAX_ADDRESSES) {
      long now = nanoTime.getAsLong();
      buckets.values().removeIf(old -> old.isFull(now));
    }
    return buckets.computeIfAbsent(address, a -> new Bucket(nanoTime.getAsLong()));
  }

  private static String addressOf(Endpoint remote) {
    return remote.isTcp() || remote.isTls() ? remote.host() : remote.toString();
  }

  /** A token bucket of blocks: capacity one second's worth, refilled continuously. */
  private final class Bucket {
    private long lastNanos;
    private double tokens;

    Bucket(long now) {
      this.lastNanos = now;
      this.tokens = blocksPerSecond;
    }

    synchronized boolean take(long cost) {
      refill(nanoTime.getAsLong());
      if (tokens < cost) {
        return false;
      }
      tokens -= cost;
      return true;
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= blocksPerSecond;
    }

    private void refill(long now) {
      long elapsed = now - lastNanos;
      lastNanos = now;
      if (elapsed > 0) {
        tokens = Math.min(blocksPerSecond, tokens + (double) elapsed * blocksPerSecond / TimeUnit.SECONDS.toNanos(1));
      }
    }
  }
}
