package io.peerlink.transport.api.support;

import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.ListenerStats;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind a listener's {@link ListenerStats}, and the open-connection counts (per
 * listener, per remote address, outside the reserved set) that the caps of {@link ListenerLimits}
 * are checked against at accept. Thread-safe: accept threads, event loops and readers update it;
 * adders because many threads bump them and only operators read them.
 */
public final class ListenerCounters {

  private static final ListenerCounters NONE = new ListenerCounters();

  private final LongAdder accepted = new LongAdder();
  private final LongAdder refusedByPolicy = new LongAdder();
  private final LongAdder refusedOverLimit = new LongAdder();
  private final LongAdder closedIdle = new LongAdder();
  private final LongAdder closedPartialFrame = new LongAdder();
  private final LongAdder badFrames = new LongAdder();
  private final LongAdder handlerErrors = new LongAdder();
  private final LongAdder readPauses = new LongAdder();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger strangers = new AtomicInteger(); // connections outside the reserved-for set
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

  /** For outgoing connections, which belong to no listener: counts what nobody reads. */
  public static ListenerCounters none() {
    return NONE;
  }

  /**
   * Takes a slot for a new connection from {@code address}, unless a cap of {@code limits} is
   * reached. Count the refusal ({@link #refusedOverLimit()}) and log the reason when it is.
   *
   * @param address the remote address, or null for transports without one (the per-address cap
   *     then does not apply)
   * @param mayUseReserved whether the connection may take one of
   *     {@link ListenerLimits#reservedConnections()} (its address is in
   *     {@link ListenOptions#reservedFor()}); transports without addresses pass true
   * @return null when admitted (give the slot back with {@link #release}), else which cap refused
   *     it, in words
   */
  public String admit(InetAddress address, ListenerLimits limits, boolean mayUseReserved) {
    int maxConnections = limits.maxConnections();
    boolean stranger = !mayUseReserved && limits.reservedConnections() > 0;
    int strangerCap = maxConnections - limits.reservedConnections();
    if (stranger && strangers.incrementAndGet() > strangerCap) {
      strangers.decrementAndGet();
      return "the listener has " + strangerCap + " connections open from addresses that are not configured peers,"
          + " their maximum; " + (maxConnections - strangerCap) + " more are kept for configured peers";
    }
    if (active.incrementAndGet() > maxConnections) {
      active.decrementAndGet();
      releaseStranger(stranger);
      return "the listener has " + maxConnections + " connections open, its maximum (maxConnections)";
    }
    if (address != null) {
      int maxPerAddress = limits.maxConnectionsPerAddress();
      AtomicInteger n = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
      if (n.incrementAndGet() > maxPerAddress) {
        releaseAddress(address, n);
        active.decrementAndGet();
        releaseStranger(stranger);
        return address.getHostAddress() + " has " + maxPerAddress
            + " connections open, the maximum per address (maxConnectionsPerAddress)";
      }
    }
    return null;
  }

  /** Gives back the slot {@link #admit} took, with the same address, limits and reserved flag. */
  public void release(InetAddress address, ListenerLimits limits, boolean mayUseReserved) {
    releaseStranger(!mayUseReserved && limits.reservedConnections() > 0);
    active.decrementAndGet();
    if (address != null) {
      AtomicInteger n = perAddress.get(address);
      if (n != null) {
        releaseAddress(address, n);
      }
    }
  }

  private void releaseStranger(boolean stranger) {
    if (stranger) {
      strangers.decrementAndGet();
    }
  }

  // Drops the entry at zero, so addresses that came once do not stay in the map forever.
  private void releaseAddress(InetAddress address, AtomicInteger n) {
    if (n.decrementAndGet() <= 0) {
      perAddress.computeIfPresent(address, (a, v) -> v.get() <= 0 ? null : v);
    }
  }

  /** A connection was accepted (before the policy and the caps are checked). */
  public void accepted() {
    accepted.increment();
  }

  /** A connection was refused by the access policy. */
  public void refusedByPolicy() {
    refusedByPolicy.increment();
  }

  /** A connection was refused over a connection cap. */
  public void refusedOverLimit() {
    refusedOverLimit.increment();
  }

  /** A connection was closed by the idle timeout. */
  public void closedIdle() {
    closedIdle.increment();
  }

  /** A connection was closed by the partial-frame timeout. */
  public void closedPartialFrame() {
    closedPartialFrame.increment();
  }

  /** A connection was closed for a malformed or oversized frame. */
  public void badFrame() {
    badFrames.increment();
  }

  /** A connection or frame handler threw. */
  public void handlerError() {
    handlerErrors.increment();
  }

  /** Reading a connection paused at the pipelining bound (or for a peer that does not read). */
  public void readPaused() {
    readPauses.increment();
  }

  /** The counts now. */
  public ListenerStats snapshot() {
    return new ListenerStats(accepted.sum(), active.get(), refusedByPolicy.sum(), refusedOverLimit.sum(),
        closedIdle.sum(), closedPartialFrame.sum(), badFrames.sum(), handlerErrors.sum(), readPauses.sum());
  }
}
