package io.peerlink.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The packaged node (master role, peer port on 127.0.0.1, idle timeout 2 s, partial-frame timeout
 * 1 s) against 4 honest clients asking status in a loop and 50 hostile ones (garbage, slowloris,
 * half frames, connect-and-drop, connect-and-idle), all on loopback. Honest clients see no error
 * and a p99 under 10 ms; afterwards the node's file descriptors return to their baseline and its
 * live heap to its post-warm-up baseline, within 5%.
 *
 * <p>60 s by default (part of {@code ./mvnw -B verify}); longer with
 * {@code -Dpeerlink.soak.seconds=600}.
 */
class SoakTest {

  private static final int SECONDS = Integer.getInteger("peerlink.soak.seconds", 60);
  private static final Duration WARM_UP = Duration.ofSeconds(8);
  private static final int HONEST = 4;
  private static final int HOSTILE = 50;
  /** Each honest client asks about every 5 ms: 800 requests a second in all, a busy peer port. */
  private static final long HONEST_PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long P99_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final Duration SETTLE = Duration.ofSeconds(30);

  @Test
  void honestClientsAreServedAmongHostileOnesAndTheNodeReturnsToItsBaseline() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(HONEST + HOSTILE);
    try (Cluster cluster = new Cluster(); TransportRegistry transports = TransportRegistry.installed()) {
      int port = LoopbackPorts.pick();
      Path config = cluster.writeConfig(0, port, "127.0.0.1", List.of(), Map.of(
          "limits.peer_rpc.idle_timeout", "2s", "limits.peer_rpc.partial_frame_timeout", "1s",
          "metrics.interval", "5s"));
      NodeProcess node = cluster.startNode("soak", List.of(), 0, "--master-only", "--config", config.toString());
      node.awaitLine("listening on tcp://127.0.0.1:" + port, Duration.ofSeconds(10));
      NodeVitals vitals = new NodeVitals(node.pid());
      long fdBaseline = vitals.fds();

      // Warm-up: every code path once (JIT, lazily created pools and classes), then the live-heap baseline.
      Round warm = Round.run(pool, transports, port, WARM_UP);
      assertEquals(List.of(), warm.honestErrors, "honest clients during warm-up");
      awaitFds(vitals, fdBaseline);
      long heapBaseline = vitals.liveHeapKiB();

      Round soak = Round.run(pool, transports, port, Duration.ofSeconds(SECONDS));
      assertTrue(node.isAlive(), "the node survived:\n" + node.output());
      assertEquals(List.of(), soak.honestErrors, "honest clients see no error");
      long[] lat = soak.latencies();
      assertTrue(lat.length >= HONEST * SECONDS * 50L, "honest clients were served throughout: " + lat.length);
      long p99 = lat[(int) Math.ceil(lat.length * 0.99) - 1];
      System.out.printf("soak %d s: %d honest requests, p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d hostile connections%n",
          SECONDS, lat.length, lat[lat.length / 2] / 1e6, p99 / 1e6, lat[lat.length - 1] / 1e6, soak.hostileConnections);
      assertTrue(p99 < P99_BOUND_NANOS, "honest p99 " + p99 / 1e6 + " ms, bound 10 ms");
      assertTrue(soak.hostileConnections > HOSTILE, "hostile clients connected: " + soak.hostileConnections);

      awaitFds(vitals, fdBaseline);
      awaitHeap(vitals, heapBaseline);
      // The node's own counters saw every kind of abuse.
      // (the metrics: line lists the non-zero counters of the meters /metrics serves, sorted by name)
      String peerPort = "\\{listener=\"peer_rpc_port\",reason=\"";
      node.awaitLine("metrics: .*peerlink_listener_connections_accepted_total\\{listener=\"peer_rpc_port\"}=[1-9]"
          + ".*peerlink_listener_connections_closed_total" + peerPort + "bad_frame\"}=[1-9]"
          + ".*peerlink_listener_connections_closed_total" + peerPort + "idle_timeout\"}=[1-9]"
          + ".*peerlink_listener_connections_closed_total" + peerPort + "partial_frame_timeout\"}=[1-9]"
          + ".*peerlink_listener_error_answers_total\\{call=\"malformed\",listener=\"peer_rpc_port\"}=[1-9]",
          Duration.ofSeconds(15));
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "client threads ended");
    }
  }

  private static void awaitFds(NodeVitals vitals, long baseline) {
    long bound = Math.round(baseline * 0.05);
    await("node fds back within 5% of the baseline " + baseline).atMost(SETTLE).pollInterval(Duration.ofMillis(50))
        .until(vitals::fds, now -> Math.abs(now - baseline) <= bound);
  }

  /** Live heap back within 5% of the baseline; each try is a full GC, until the deadline. */
  private static void awaitHeap(NodeVitals vitals, long baselineKiB) {
    // Each try runs a full GC in the node (jcmd): no pause between tries.
    await("node live heap back within 5% of the baseline " + baselineKiB + " KiB").atMost(SETTLE)
        .pollInterval(Duration.ofMillis(10))
        .until(vitals::liveHeapKiB, now -> Math.abs(now - baselineKiB) <= baselineKiB * 0.05);
  }

  /** One run of the load: honest and hostile clients side by side until the duration is over. */
  private static final class Round {
    final List<String> honestErrors = new ArrayList<>();
    final ConcurrentLinkedQueue<long[]> latencyChunks = new ConcurrentLinkedQueue<>();
    long hostileConnections;

    static Round run(ExecutorService pool, TransportRegistry transports, int port, Duration length) throws Exception {
      Round r = new Round();
      long end = System.nanoTime() + length.toNanos();
      AtomicLong hostile = new AtomicLong();
      List<HostileClient> hostiles = new ArrayList<>();
      List<Future<?>> running = new ArrayList<>();
      InetSocketAddress node = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      HostileClient.Behaviour[] kinds = HostileClient.Behaviour.values();
      for (int i = 0; i < HOSTILE; i++) {
        HostileClient h = new HostileClient(kinds[i % kinds.length],
            InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (10 + i)}), node, end, i, hostile);
        hostiles.add(h);
        running.add(pool.submit(h));
      }
      List<Future<List<String>>> honest = new ArrayList<>();
      Endpoint endpoint = Endpoint.tcp("127.0.0.1", port);
      for (int i = 0; i < HONEST; i++) {
        honest.add(pool.submit(() -> r.honest(transports, endpoint, end)));
      }
      try {
        for (Future<List<String>> f : honest) {
          r.honestErrors.addAll(f.get(length.toSeconds() + 30, TimeUnit.SECONDS));
        }
      } finally {
        hostiles.forEach(HostileClient::stop);
        for (Future<?> f : running) {
          f.get(30, TimeUnit.SECONDS); // each connection ends within its read timeouts
        }
      }
      r.hostileConnections = hostile.get();
      return r;
    }

    /** Asks status in a loop, paced, recording each latency; returns the errors seen. */
    List<String> honest(TransportRegistry transports, Endpoint endpoint, long endNanos) {
      List<String> errors = new ArrayList<>();
      int max = (int) Math.min(10_000_000, TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime()) + 1);
      long[] lat = new long[max];
      int n = 0;
      try (MasterClient client = new MasterClient(transports, endpoint, Duration.ofSeconds(2))) {
        long next = System.nanoTime();
        while (n < max && System.nanoTime() < endNanos) {
          long t0 = System.nanoTime();
          try {
            client.status().get(3, TimeUnit.SECONDS);
            lat[n++] = System.nanoTime() - t0;
          } catch (Exception e) {
            errors.add(e.toString());
            if (errors.size() > 20) {
              break;
            }
          }
          // Pacing the load (not waiting for a condition): one request every HONEST_PACE_NANOS.
          next += HONEST_PACE_NANOS;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          } else {
            next = System.nanoTime();
          }
        }
      }
      latencyChunks.add(Arrays.copyOf(lat, n));
      return errors;
    }

    long[] latencies() {
      long[] all = latencyChunks.stream().flatMapToLong(Arrays::stream).toArray();
      Arrays.sort(all);
      return all;
    }
  }
}
