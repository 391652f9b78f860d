package io.peerlink.node.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerStats;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The master's listeners: {@link ListenerStats} read at each scrape, frames counted by
 * {@link FrameCountingHandler}, error answers read from each {@link Responder}. Everything is
 * labelled {@code listener=<config key>}.
 *
 * <p>A listener key bound again (the role restarted in the same process) points the existing
 * meters at the new listener: counters are read from the listener, so they restart from its count.
 */
final class ListenerMeters {

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<Listener>> bound = new ConcurrentHashMap<>();
  private final Map<String, LongAdder[]> frames = new ConcurrentHashMap<>();
  private final Map<String, Responder> responders = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Map<String, Long>>> errorSnapshots = new ConcurrentHashMap<>();

  ListenerMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void bind(String key, Listener listener) {
    AtomicReference<Listener> ref = bound.get(key);
    if (ref != null) {
      ref.set(listener);
      return;
    }
    AtomicReference<Listener> fresh = new AtomicReference<>(listener);
    bound.put(key, fresh);
    Tags tags = Tags.of("listener", key);
    Gauge.builder("peerlink.listener.connections.open", fresh, r -> r.get().stats().active())
        .description("Connections open now").tags(tags).strongReference(true).register(registry);
    counter("peerlink.listener.connections.accepted", "Connections accepted (admitted or not)", tags, fresh,
        ListenerStats::accepted);
    counter("peerlink.listener.connections.refused", "Connections closed at accept, by reason",
        tags.and("reason", "access_policy"), fresh, ListenerStats::refusedByPolicy);
    counter("peerlink.listener.connections.refused", "Connections closed at accept, by reason",
        tags.and("reason", "over_limit"), fresh, ListenerStats::refusedOverLimit);
    counter("peerlink.listener.connections.closed", "Connections closed by the listener, by reason",
        tags.and("reason", "idle_timeout"), fresh, ListenerStats::closedIdle);
    counter("peerlink.listener.connections.closed", "Connections closed by the listener, by reason",
        tags.and("reason", "partial_frame_timeout"), fresh, ListenerStats::closedPartialFrame);
    counter("peerlink.listener.connections.closed", "Connections closed by the listener, by reason",
        tags.and("reason", "bad_frame"), fresh, ListenerStats::badFrames);
    counter("peerlink.listener.connections.closed", "Connections closed by the listener, by reason",
        tags.and("reason", "handler_error"), fresh, ListenerStats::handlerErrors);
    counter("peerlink.listener.read.pauses", "Times reading a connection paused: too many answers pending", tags,
        fresh, ListenerStats::readPauses);
  }

  private void counter(String name, String help, Tags tags, AtomicReference<Listener> ref,
      ToLongFunction<ListenerStats> field) {
    FunctionCounter.builder(name, ref, r -> field.applyAsLong(r.get().stats()))
        .description(help).tags(tags).register(registry);
  }

  ConnectionHandler countFrames(String key, ConnectionHandler handler) {
    LongAdder[] pair = frames.computeIfAbsent(key, k -> {
      LongAdder[] p = {new LongAdder(), new LongAdder()};
      Tags tags = Tags.of("listener", k);
      FunctionCounter.builder("peerlink.listener.frames.received", p[0], LongAdder::sum)
          .description("Frames received").tags(tags).register(registry);
      FunctionCounter.builder("peerlink.listener.frames.sent", p[1], LongAdder::sum)
          .description("Frames handed to the transport to send").tags(tags).register(registry);
      return p;
    });
    return new FrameCountingHandler(handler, pair[0], pair[1]);
  }

  void bindErrorAnswers(String key, Responder responder) {
    responders.put(key, responder);
  }

  /**
   * Takes a snapshot of each responder's error answers and registers a counter for each call seen
   * so far (calls appear as peers make them); the counters read the latest snapshot.
   */
  void refreshErrorAnswers() {
    responders.forEach(this::refreshErrorAnswers);
  }

  private void refreshErrorAnswers(String key, Responder responder) {
    Map<String, Long> counts = responder.errorCountsByCall();
    AtomicReference<Map<String, Long>> snapshot = errorSnapshots.computeIfAbsent(key,
        k -> new AtomicReference<>(Map.of()));
    snapshot.set(counts);
    for (String call : counts.keySet()) {
      FunctionCounter.builder("peerlink.listener.error.answers", snapshot, s -> s.get().getOrDefault(call, 0L))
          .description("Error answers given, by the call they answered").tags("listener", key, "call", call)
          .register(registry);
    }
  }
}
