package io.peerlink.transport.tcp;

import io.peerlink.transport.api.ListenerStats;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link ListenerStats}, and the open-connection counts (per listener and per
 * remote address) that the caps are checked against. Updated from several event loops.
 */
final class ListenerCounters {

  private static final ListenerCounters NONE = new ListenerCounters();

  /** For outgoing connections, which belong to no listener: counts nothing anyone reads. */
  static ListenerCounters none() {
    return NONE;
  }

  final LongAdder accepted = new LongAdder();
  final LongAdder refusedByPolicy = new LongAdder();
  final LongAdder refusedOverLimit = new LongAdder();
  final LongAdder closedIdle = new LongAdder();
  final LongAdder closedPartialFrame = new LongAdder();
  final LongAdder badFrames = new LongAdder();
  final LongAdder handlerErrors = new LongAdder();
  final LongAdder readPauses = new LongAdder();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger strangers = new AtomicInteger(); // connections outside the reserved-for set
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

  /**
   * Takes a slot for a new connection from {@code address}, unless a cap is reached.
   *
   * @param strangerCap for a connection that may not use the reserved slots, how many such
   *     connections may be open at once; -1 for one that may
   * @return null when admitted (release the slot with {@link #release}), else which cap refused it
   */
  String admit(InetAddress address, int maxConnections, int maxPerAddress, int strangerCap) {
    if (strangerCap >= 0 && strangers.incrementAndGet() > strangerCap) {
      strangers.decrementAndGet();
      return "the listener has " + strangerCap + " connections open from addresses that are not configured peers,"
          + " their maximum; " + (maxConnections - strangerCap) + " more are kept for configured peers";
    }
    if (active.incrementAndGet() > maxConnections) {
      active.decrementAndGet();
      releaseStranger(strangerCap);
      return "the listener has " + maxConnections + " connections open, its maximum";
    }
    if (address != null) {
      AtomicInteger n = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
      if (n.incrementAndGet() > maxPerAddress) {
        releaseAddress(address, n);
        active.decrementAndGet();
        releaseStranger(strangerCap);
        return address.getHostAddress() + " has " + maxPerAddress + " connections open, the maximum per address";
      }
    }
    return null;
  }

  private void releaseStranger(int strangerCap) {
    if (strangerCap >= 0) {
      strangers.decrementAndGet();
    }
  }

  /** Gives back the slot {@link #admit} took, with the same {@code strangerCap}. */
  void release(InetAddress address, int strangerCap) {
    releaseStranger(strangerCap);
    active.decrementAndGet();
    if (address != null) {
      AtomicInteger n = perAddress.get(address);
      if (n != null) {
        releaseAddress(address, n);
      }
    }
  }

  // Drops the entry at zero, so addresses that came once do not stay in the map forever.
  private void releaseAddress(InetAddress address, AtomicInteger n) {
    if (n.decrementAndGet() <= 0) {
      perAddress.computeIfPresent(address, (a, v) -> v.get() <= 0 ? null : v);
    }
  }

  ListenerStats snapshot() {
    return new ListenerStats(accepted.sum(), active.get(), refusedByPolicy.sum(), refusedOverLimit.sum(),
        closedIdle.sum(), closedPartialFrame.sum(), badFrames.sum(), handlerErrors.sum(), readPauses.sum());
  }
}
