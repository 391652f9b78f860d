package io.peerlink.node.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP ports free on 127.0.0.1, for a node (or another listener) that binds them a moment later:
 * the demo's, the tests' and the benchmarks' peer and metrics ports.
 *
 * <p>Why not bind port 0, read the port and close: the kernel hands out the same ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}, typically 32768-60999) to {@code bind(0)} and to
 * the local port of every outgoing connection, so between that probe and the node's bind any client
 * socket on the machine can take the port, and the node fails to start. The ports here come from
 * below that range (20000 up to its start), where the kernel never puts a port of its own choosing;
 * each is chosen at random (so that two JVMs doing this at once rarely meet), never handed out twice
 * by this class in one JVM, and checked by binding it on loopback with {@code SO_REUSEADDR}, as the
 * node's listeners bind: a port in TIME_WAIT from an earlier test counts as free, as it does for the
 * node. What is left is a process that binds that very port between the check and the node's bind.
 *
 * <p>When the ephemeral range leaves no room below it (nor above it), this falls back to
 * {@code bind(0)}, with the old race, and logs that once.
 */
public final class LoopbackPorts {

  private static final Logger log = LoggerFactory.getLogger(LoopbackPorts.class);

  static final Path EPHEMERAL_RANGE_FILE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /** Linux's default, assumed when the file cannot be read. */
  static final int[] DEFAULT_EPHEMERAL = {32768, 60999};
  /** Where the range below the ephemeral one starts when there is room. */
  static final int PREFERRED_LOW = 20000;
  /** Fewer ports than this outside the ephemeral range, and the fallback is used. */
  static final int MIN_SPAN = 1000;
  /** Bind checks per port handed out, at most. */
  static final int MAX_BINDS = 200;

  private static final LoopbackPorts SHARED = forThisMachine();

  private final int low;
  private final int high;
  private final String origin;
  private final Set<Integer> handedOut = new HashSet<>();
  private boolean fallbackNoted;

  /**
   * Ports in {@code low..high} (inclusive); {@code low == 0} means no range: {@code bind(0)}.
   *
   * @param origin where the range came from, for the error when it has no free port
   */
  LoopbackPorts(int low, int high, String origin) {
    if (low != 0 && (low < 1 || high > 65535 || low > high)) {
      throw new IllegalArgumentException("port range " + low + "-" + high + ": expected 1 <= low <= high <= 65535");
    }
    this.low = low;
    this.high = high;
    this.origin = origin;
  }

  /**
   * A port free on 127.0.0.1 now, outside the kernel's ephemeral range, not handed out before in
   * this JVM.
   *
   * @throws UncheckedIOException naming the range when no free port is found in it
   */
  public static int pick() {
    return SHARED.next();
  }

  /** {@code n} distinct ports, each as {@link #pick()} gives it. */
  public static int[] pick(int n) {
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) {
      ports[i] = SHARED.next();
    }
    return ports;
  }

  /** The range this machine's {@link #pick()} draws from, as {@code "low-high"}, or "none". */
  static String sharedRange() {
    return SHARED.range();
  }

  String range() {
    return low == 0 ? "none" : low + "-" + high;
  }

  synchronized int next() {
    if (low == 0) {
      return viaBindZero();
    }
    int size = high - low + 1;
    int start = ThreadLocalRandom.current().nextInt(size);
    int binds = 0;
    // From a random start through the whole range once: a small range is searched exhaustively.
    for (int i = 0; i < size && binds < MAX_BINDS; i++) {
      int port = low + (start + i) % size;
      if (handedOut.contains(port)) {
        continue;
      }
      binds++;
      if (bindable(port)) {
        handedOut.add(port);
        return port;
      }
    }
    throw new UncheckedIOException(new IOException("no free port on 127.0.0.1 in " + range() + " (" + origin
        + ") after " + binds + " binds; " + handedOut.size() + " of its ports already handed out in this JVM"));
  }

  /** Whether a listener can bind {@code port} on loopback now, with {@code SO_REUSEADDR} as the node's do. */
  static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private int viaBindZero() {
    if (!fallbackNoted) {
      fallbackNoted = true;
      log.warn("no room for loopback ports outside the kernel's ephemeral range ({}): ports are taken by bind(0),"
          + " and a client socket may take one before its node binds it", origin);
    }
    for (int i = 0; i < MAX_BINDS; i++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        if (handedOut.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot bind port 0 on 127.0.0.1", e);
      }
    }
    throw new UncheckedIOException(new IOException("bind(0) on 127.0.0.1 gave only ports handed out already, "
        + MAX_BINDS + " times"));
  }

  private static LoopbackPorts forThisMachine() {
    int[] ephemeral = ephemeralRange(EPHEMERAL_RANGE_FILE);
    String origin = "outside the kernel's ephemeral range " + ephemeral[0] + "-" + ephemeral[1]
        + (ephemeral == DEFAULT_EPHEMERAL ? ", assumed: " + EPHEMERAL_RANGE_FILE + " unreadable" : "");
    int[] range = rangeOutside(ephemeral[0], ephemeral[1]);
    return range == null ? new LoopbackPorts(0, 0, origin) : new LoopbackPorts(range[0], range[1], origin);
  }

  /**
   * The ephemeral range in {@code file} ("low high"), or {@link #DEFAULT_EPHEMERAL} when it cannot
   * be read or makes no sense.
   */
  static int[] ephemeralRange(Path file) {
    try {
      String[] parts = Files.readString(file).trim().split("\\s+");
      if (parts.length == 2) {
        int lo = Integer.parseInt(parts[0]);
        int hi = Integer.parseInt(parts[1]);
        if (1 <= lo && lo <= hi && hi <= 65535) {
          return new int[] {lo, hi};
        }
      }
    } catch (IOException | NumberFormatException | SecurityException unreadable) {
      // not Linux, or a file we cannot parse: the default below
    }
    return DEFAULT_EPHEMERAL;
  }

  /**
   * A range of at least {@link #MIN_SPAN} unprivileged ports outside {@code ephemeralLow..ephemeralHigh}:
   * below it (from {@link #PREFERRED_LOW}, or from 1024 when fewer than {@link #MIN_SPAN} ports lie
   * between that and the ephemeral range), else above it; {@code null} when neither has room.
   */
  static int[] rangeOutside(int ephemeralLow, int ephemeralHigh) {
    int belowHigh = ephemeralLow - 1;
    int belowLow = belowHigh - PREFERRED_LOW + 1 >= MIN_SPAN ? PREFERRED_LOW : 1024;
    if (belowHigh - belowLow + 1 >= MIN_SPAN) {
      return new int[] {belowLow, belowHigh};
    }
    if (65535 - ephemeralHigh >= MIN_SPAN) {
      return new int[] {ephemeralHigh + 1, 65535};
    }
    return null;
  }
}
