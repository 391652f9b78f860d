package io.peerlink.node.role;

import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.RangeRateRefusal;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Budgets of get_blocks_range blocks on the peer port, in front of the {@link Responder}: each
 * remote address that is not a configured peer's may take {@code blocksPerSecond} blocks a second,
 * and all of them {@code strangerBlocksPerSecond} together; each configured peer's address takes
 * {@code peerBlocksPerSecond} a second of its own. Each budget has a burst of one second's worth. A
 * range request beyond a budget is answered at once with an {@code error} naming the limit
 * ({@link RangeRateRefusal}), and never reaches the chain. The per-address budget keeps
 * a few addresses reading flat out from taking the disk and the event loops from everyone else;
 * the shared one keeps many addresses from doing it together (64 addresses' budgets asked for
 * twice what two cores serve, and an honest status request waited seconds behind them). Configured
 * peers are known addresses, few, and the ones that catch up from this master (from several
 * masters at once), so they get a larger budget, apart from strangers', whatever strangers do. A
 * request is charged what it asks for (up to {@link Responder#MAX_BLOCKS_PER_RANGE}); other
 * requests pass freely. A rate of 0 is unlimited. A connection refused
 * {@link #MAX_REFUSALS_PER_SECOND} times within a second is closed.
 */
final class RangeRateLimit implements ConnectionHandler {
  /**
   * Range requests one connection may have refused within a second before it is closed. A client
   * that heeds "ask again later" is refused a few; a flood that pipelines ranges without reading
   * (512 connections x 1,024 requests) would otherwise cost a decode and an answer per request,
   * half a million, and hold the event loops (and an honest status call) for a second.
   */
  static final int MAX_REFUSALS_PER_SECOND = 64;
  /** Addresses remembered at most; full buckets are forgotten first past this. */
  private static final int MAX_ADDRESSES = 4096;

  private final ConnectionHandler next;
  private final long blocksPerSecond;
  private final long strangerBlocksPerSecond;
  private final long peerBlocksPerSecond;
  private final AccessPolicy peers;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Bucket strangers;

  /**
   * @param blocksPerSecond each stranger's address's budget ({@code range_blocks_per_second})
   * @param strangerBlocksPerSecond all strangers' budget together
   * @param peerBlocksPerSecond each configured peer's address's budget
   * @param peers admits the configured peers' addresses (they are not charged to the strangers' budget)
   */
  RangeRateLimit(ConnectionHandler next, long blocksPerSecond, long strangerBlocksPerSecond, long peerBlocksPerSecond,
      AccessPolicy peers, LongSupplier nanoTime) {
    this.next = next;
    this.blocksPerSecond = blocksPerSecond;
    this.strangerBlocksPerSecond = strangerBlocksPerSecond;
    this.peerBlocksPerSecond = peerBlocksPerSecond;
    this.peers = peers;
    this.nanoTime = nanoTime;
    this.strangers = strangerBlocksPerSecond == 0 ? null : new Bucket(strangerBlocksPerSecond, nanoTime.getAsLong());
  }

  @Override
  public FrameHandler onConnect(Connection connection) throws Exception {
    FrameHandler inner = next.onConnect(connection);
    String address = addressOf(connection.remote());
    boolean stranger = peers.refusal(connection.remote(), Optional.empty()).isPresent();
    Bucket shared = stranger ? strangers : null;
    long ownRate = stranger ? blocksPerSecond : peerBlocksPerSecond;
    String ownKey = stranger ? "limits.peer_rpc.range_blocks_per_second" : "limits.peer_rpc.peer_range_blocks_per_second";
    return new FrameHandler() {
      // The refusals' bytes, made once per connection: a flood of refused requests costs a lookup each.
      private byte[] ownRefusal;
      private byte[] sharedRefusal;
      private long refusalsSince = nanoTime.getAsLong();
      private int refusals;

      @Override
      public void onFrame(Connection c, byte[] frame) throws Exception {
        long cost = rangeCost(frame);
        if (cost > 0) {
          Bucket own = ownRate == 0 ? null : bucket(address, ownRate);
          if (own != null && !own.take(cost)) {
            if (ownRefusal == null) {
              ownRefusal = refusal(address, ownRate, ownKey);
            }
            refuse(c, ownRefusal);
            return;
          }
          if (shared != null && !shared.take(cost)) {
            if (own != null) {
              own.giveBack(cost); // not served: the address's own budget is not spent
            }
            if (sharedRefusal == null) {
              sharedRefusal = refusal("addresses that are not configured peers, together,", strangerBlocksPerSecond,
                  "limits.peer_rpc.stranger_range_blocks_per_second");
            }
            refuse(c, sharedRefusal);
            return;
          }
        }
        inner.onFrame(c, frame);
      }

      /** Sends a refusal; closes the connection at the {@link #MAX_REFUSALS_PER_SECOND}th within a second. */
      private void refuse(Connection c, byte[] refusal) {
        long now = nanoTime.getAsLong();
        if (now - refusalsSince > TimeUnit.SECONDS.toNanos(1)) {
          refusalsSince = now;
          refusals = 0;
        }
        c.send(refusal);
        if (++refusals >= MAX_REFUSALS_PER_SECOND) {
          c.close();
        }
      }

      @Override
      public void onClose(Connection c, Throwable cause) {
        inner.onClose(c, cause);
      }
    };
  }

  private static byte[] refusal(String who, long blocksPerSecond, String key) {
    return new Response.Error(RangeRateRefusal.text(who, blocksPerSecond, key)).encode();
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

  /** The address's bucket; an address is a configured peer's or not for the listener's life, so its rate too. */
  private Bucket bucket(String address, long perSecond) {
    Bucket b = buckets.get(address);
    if (b != null) {
      return b;
    }
    if (buckets.size() >= MAX_ADDRESSES) {
      long now = nanoTime.getAsLong();
      buckets.values().removeIf(old -> old.isFull(now));
    }
    return buckets.computeIfAbsent(address, a -> new Bucket(perSecond, nanoTime.getAsLong()));
  }

  private static String addressOf(Endpoint remote) {
    return remote.isTcp() || remote.isTls() ? remote.host() : remote.toString();
  }

  /** A token bucket of blocks: capacity one second's worth, refilled continuously. */
  private final class Bucket {
    private final long perSecond;
    private long lastNanos;
    private double tokens;

    Bucket(long perSecond, long now) {
      this.perSecond = perSecond;
      this.lastNanos = now;
      this.tokens = perSecond;
    }

    synchronized boolean take(long cost) {
      refill(nanoTime.getAsLong());
      if (tokens < cost) {
        return false;
      }
      tokens -= cost;
      return true;
    }

    synchronized void giveBack(long cost) {
      tokens = Math.min(perSecond, tokens + cost);
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= perSecond;
    }

    private void refill(long now) {
      long elapsed = now - lastNanos;
      lastNanos = now;
      if (elapsed > 0) {
        tokens = Math.min(perSecond, tokens + (double) elapsed * perSecond / TimeUnit.SECONDS.toNanos(1));
      }
    }
  }
}
