package io.peerlink.node.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.peerlink.discovery.core.catchup.CatchUpListener;
import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.discovery.DiscoveryListener;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.master.ChainState;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.Listener;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One node's meters, in one Micrometer registry served in the Prometheus format: what
 * discovery-core and the transports report through their own interfaces ({@link DiscoveryListener},
 * {@link CatchUpListener}, {@code ListenerStats}, {@link Responder#errorCountsByCall()}), bound here
 * to meters named after the Prometheus conventions ({@code peerlink_} prefix, base units,
 * {@code _total} counters, {@code _seconds} timers). Label values are bounded: a {@code peer} label
 * is a configured peer, a {@code listener} label a config key.
 *
 * <p>Thread-safe. Meters are registered once per name and labels, so binding the same listener key
 * again (a restarted role) keeps counting into the same series.
 */
public final class NodeMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final ListenerMeters listeners = new ListenerMeters(registry);

  /** The registry, without JVM meters (tests, and a node whose endpoint is off). */
  public NodeMetrics() {
    // Two of Micrometer's processor meters break Prometheus's naming rules (promtool check
    // metrics): the CPU time in nanoseconds becomes the standard process_cpu_seconds_total below,
    // and a gauge may not end in _count.
    registry.config()
        .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
          }
        });
  }

  /** The JVM's and the process's meters (memory, GC, threads, classes, CPU, uptime, file descriptors). */
  public NodeMetrics withJvmMeters() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean) {
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time the process has used").register(registry);
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    closeables.add(gc);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return this;
  }

  /** The registry, for meters of its own (tests read it too). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Every meter, in the given format.
   *
   * @return the body; its content type is {@link Exposition#contentType()}
   */
  public String scrape(Exposition format) {
    refresh();
    return registry.scrape(format.contentType());
  }

  /** Brings meters that appear as they are seen (error answers by call) up to date; before any read. */
  void refresh() {
    listeners.refreshErrorAnswers();
  }

  /**
   * A listener's counters, under {@code listener=<key>}: connections open, accepted, refused (by
   * reason), closed by a timeout or an error (by reason), read pauses.
   */
  public void bindListener(String key, Listener listener) {
    listeners.bind(key, listener);
  }

  /** The handler, counting each frame received and sent under {@code listener=<key>}. */
  public ConnectionHandler countFrames(String key, ConnectionHandler handler) {
    return listeners.countFrames(key, handler);
  }

  /** A responder's error answers by the call they answered, under {@code listener=<key>}. */
  public void bindErrorAnswers(String key, Responder responder) {
    listeners.bindErrorAnswers(key, responder);
  }

  /**
   * The discovery and catch-up meters, and the sync gauges read from {@code current}.
   *
   * @param peers the configured peers: the only values a {@code peer} label takes (besides
   *     {@code local} for the own master)
   * @param localMaster the node's own master
   * @param current the node's sync status as last reported, empty before the first check
   * @param fork the own chain's fork as last found (catch-up or the own-tip check), empty when none
   *     is known: {@code peerlink_catchup_local_forked} is 1 and {@code peerlink_sync_ready} 0 while
   *     one is
   * @return the listener to give to {@code PeerDiscovery} and {@code CatchUp}
   */
  public DiscoveryMeters bindDiscovery(Collection<Endpoint> peers, Endpoint localMaster,
      Supplier<Optional<SyncStatus>> current, Supplier<Optional<ChainFork>> fork) {
    SyncGauges.bind(registry, current, fork);
    return new DiscoveryMeters(registry, peers, localMaster, fork);
  }

  /** The chain store's gauges (blocks held, bytes on disk, tip) and the fsync timer. */
  public void bindChain(ChainState chain, Path chainDirectory) {
    ChainMeters.bind(registry, chain, chainDirectory);
  }

  /** The chain's intake for the block channel, counting each commit by its outcome. */
  public CommitIntake commitIntake(ChainState chain) {
    return ChainMeters.countCommits(registry, chain);
  }

  /**
   * The line the master logs every {@code metrics.interval}: each non-zero counter and gauge whose
   * name starts with one of the prefixes, e.g. {@code peerlink_listener_}.
   */
  public String logLine(String... prefixes) {
    refresh();
    return MetricsLogLine.format(registry, prefixes);
  }

  /** Stops the JVM meters' listeners and the registry. */
  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing is left to release
      }
    }
    registry.close();
  }
}
