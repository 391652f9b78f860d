package io.peerlink.transport.tcp;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns an endpoint's host into addresses. IP literals are parsed on the spot; DNS names are
 * looked up with the JDK resolver (so {@code /etc/hosts} and nsswitch apply) on threads of their
 * own, because a lookup blocks and a slow DNS server must not stall an event loop that serves
 * other connections. The threads start on the first lookup and end after a few idle seconds or
 * at {@link #close()}.
 */
class HostResolver implements AutoCloseable {

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ThreadPoolExecutor lookups;

  HostResolver() {
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    lookups = new ThreadPoolExecutor(2, 2, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "peerlink-tcp-dns-" + pool + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    lookups.allowCoreThreadTimeOut(true);
  }

  /** The address of an IP literal ({@code 127.0.0.1}, {@code ::1}, {@code fe80::1%eth0}), or null for a name. */
  static InetAddress literal(String host) {
    if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
      return null;
    }
    try {
      return InetAddress.getByName(host); // a literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return null; // e.g. an unknown scope: let the lookup report it
    }
  }

  /**
   * The host's addresses, in the order the system prefers them.
   *
   * @return completes exceptionally with {@link UnknownHostException} when the name does not
   *     resolve
   */
  CompletableFuture<InetAddress[]> resolve(String host) {
    InetAddress literal = literal(host);
    if (literal != null) {
      return CompletableFuture.completedFuture(new InetAddress[] {literal});
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return lookup(host);
      } catch (UnknownHostException e) {
        throw new CompletionException(e);
      }
    }, lookups);
  }

  /** The blocking lookup of a name; tests replace it to avoid real DNS traffic. */
  InetAddress[] lookup(String host) throws UnknownHostException {
    return InetAddress.getAllByName(host);
  }

  /** Blocking form, for {@code listen}, which is synchronous anyway. */
  static InetAddress resolveNow(String host) throws UnknownHostException {
    InetAddress literal = literal(host);
    return literal != null ? literal : InetAddress.getByName(host);
  }

  /**
   * Stops the lookup threads. A lookup in progress cannot be interrupted; its thread is given a
   * moment and then left to finish on its own (it is a daemon).
   */
  @Override
  public void close() {
    lookups.shutdownNow();
    try {
      lookups.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
