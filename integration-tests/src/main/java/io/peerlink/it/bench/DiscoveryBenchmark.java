package io.peerlink.it.bench;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One discovery round ({@link PeerDiscovery#discover()}, fresh: it dials every peer) over 10, 100
 * and 1,000 peer masters, each its own peerlink TCP listener on loopback answered by a Responder;
 * in the second scenario of each size 10% of them are hung (they accept and read, and never
 * answer). Measures the time from start to decision, against the query timeout, and the live heap
 * the round holds at its decision. Scenarios alternate within each repetition.
 */
final class DiscoveryBenchmark {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final BenchConfig config;
  private final Results results;

  DiscoveryBenchmark(BenchConfig config, Results results) {
    this.config = config;
    this.results = results;
  }

  void run() throws Exception {
    int maxPeers = Collections.max(config.peerCounts());
    ListenOptions options = ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withBacklog(1024);
    ConnectionCounter answeringCount = null;
    List<Listener> listeners = new ArrayList<>();
    // Listeners and the discovering node in separate registries: separate I/O threads, as separate processes.
    try (TransportRegistry serverSide = TransportRegistry.installed();
        TransportRegistry clientSide = TransportRegistry.installed()) {
      Endpoint any = Endpoint.tcp("127.0.0.1", 0);
      Transport transport = serverSide.transportFor(any);
      Listener local = transport.listen(any, options, StatusHandlers.responder());
      listeners.add(local);
      // Peer i reports a last block of its own, so the selection has a single right answer.
      List<Endpoint> answering = new ArrayList<>();
      List<ConnectionCounter> counters = new ArrayList<>();
      for (int i = 0; i < maxPeers; i++) {
        ConnectionCounter c = new ConnectionCounter(
            Responder.readOnly(new BenchMasterState(StatusPayload.EPOCH, StatusPayload.LAST_BLOCK + i)));
        counters.add(c);
        Listener l = transport.listen(any, options, c);
        listeners.add(l);
        answering.add(l.endpoint());
      }
      List<Endpoint> hung = new ArrayList<>();
      int maxHung = hungOf(maxPeers);
      for (int i = 0; i < maxHung; i++) {
        ConnectionCounter c = new ConnectionCounter(StatusHandlers.hung());
        counters.add(c);
        Listener l = transport.listen(any, options, c);
        listeners.add(l);
        hung.add(l.endpoint());
      }
      System.out.printf(Locale.ROOT, "  %,d listeners up; query timeout %d ms%n", listeners.size(),
          config.queryTimeout().toMillis());
      for (int rep = 0; rep < config.reps(); rep++) {
        for (int peers : config.peerCounts()) {
          boolean hungFirst = rep % 2 == 1;
          for (int s = 0; s < 2; s++) {
            int h = (s == 0) == hungFirst ? hungOf(peers) : 0;
            round(rep, clientSide, local.endpoint(), answering.subList(0, peers - h), hung.subList(0, h), counters);
          }
        }
      }
    } finally {
      for (Listener l : listeners) {
        l.close();
      }
    }
  }

  private int hungOf(int peers) {
    return (int) Math.round(peers * config.hungFraction());
  }

  private void round(int rep, TransportRegistry clientSide, Endpoint local, List<Endpoint> answering,
      List<Endpoint> hung, List<ConnectionCounter> counters) throws Exception {
    List<Endpoint> peers = new ArrayList<>(answering);
    peers.addAll(hung);
    Collections.shuffle(peers, new Random(peers.size())); // hung peers spread through the list
    DiscoveryOptions options = DiscoveryOptions.builder().queryTimeout(config.queryTimeout()).build();
    long timeoutMs = config.queryTimeout().toMillis();
    Results.DiscoveryRow row = results.discoveryRow(peers.size(), hung.size(), timeoutMs);

    double heapBefore = HeapProbe.liveMb();
    long start = System.nanoTime();
    DiscoveryResult result;
    double heap;
    try (PeerDiscovery discovery = new PeerDiscovery(clientSide, local, peers, options)) {
      result = discovery.discover().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      long decided = System.nanoTime();
      row.decisionMs.add((decided - start) / 1e6);
      heap = HeapProbe.liveMb() - heapBefore; // the round's clients and connections still open
    }
    row.heapMb.add(heap);
    row.outcome = check(result, answering.size(), hung.size());
    System.out.printf(Locale.ROOT, "  rep %d/%d  %,5d peers, %3d hung: decision in %6.0f ms (timeout %d ms), heap +%.1f MB; %s%n",
        rep + 1, config.reps(), peers.size(), hung.size(), row.decisionMs.get(row.decisionMs.size() - 1), timeoutMs,
        heap, row.outcome);
    awaitAllClosed(counters);
  }

  /** Checks the round found what the listeners hold; returns a one-line outcome. */
  private static String check(DiscoveryResult r, int answering, int hung) {
    // A hung peer accepted the connection and answers nothing: "no answer in the protocol", or a
    // timeout when it did not even accept in time.
    long timedOut = r.peers().stream().filter(o -> o.kind() == PeerOutcome.Kind.TIMED_OUT
        || o.kind() == PeerOutcome.Kind.PROTOCOL_ERROR).count();
    if (r.answered() != answering || timedOut != hung) {
      throw new IllegalStateException("expected " + answering + " answers and " + hung + " timeouts, got "
          + r.answered() + " answers and " + timedOut + " timeouts: " + r);
    }
    MasterStatus tip = r.best().flatMap(PeerOutcome::status)
        .orElseThrow(() -> new IllegalStateException("no tip chosen: " + r));
    long expectedBlock = StatusPayload.LAST_BLOCK + answeringMaxIndex(answering);
    if (tip.epoch() != StatusPayload.EPOCH || tip.lastBlockNumber() != expectedBlock) {
      throw new IllegalStateException("expected the tip epoch=" + StatusPayload.EPOCH + " block=" + expectedBlock
          + ", got " + tip);
    }
    return "answered " + r.answered() + ", timed out " + timedOut + ", tip ok";
  }

  private static int answeringMaxIndex(int answering) {
    return answering - 1;
  }

  private static void awaitAllClosed(List<ConnectionCounter> counters) throws InterruptedException {
    long end = System.nanoTime() + DEADLINE.toNanos();
    for (ConnectionCounter c : counters) {
      c.awaitOpen(0, Duration.ofNanos(Math.max(1, end - System.nanoTime())));
    }
  }
}
