package io.peerlink.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.master.ChainState;
import io.peerlink.node.master.IntakeOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The master's chain: blocks held and bytes on disk (read at each scrape), its tip, the commits
 * from the block channel by outcome, and how long each durable write (its fdatasync) takes.
 */
final class ChainMeters {

  /** Bucket bounds of the fsync histogram: a RAM disk to a slow network volume. */
  private static final Duration[] FSYNC_BUCKETS = {Duration.ofNanos(100_000), Duration.ofMillis(1),
      Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

  private ChainMeters() {
  }

  static void bind(MeterRegistry registry, ChainState chain, Path dir) {
    Gauge.builder("peerlink.chain.blocks", chain, ChainMeters::blocksHeld)
        .description("Blocks the store holds (after retention)").strongReference(true).register(registry);
    Gauge.builder("peerlink.chain.disk", dir, ChainMeters::bytesOnDisk).baseUnit("bytes")
        .description("Bytes of the store's files on disk").strongReference(true).register(registry);
    Gauge.builder("peerlink.chain.last.block", chain, c -> SyncGauges.unsigned(c.lastBlockNumber()))
        .description("The master's last block").strongReference(true).register(registry);
    Gauge.builder("peerlink.chain.epoch", chain, c -> SyncGauges.unsigned(c.currentEpoch()))
        .description("The master's epoch").strongReference(true).register(registry);
    Gauge.builder("peerlink.chain.pending.commits", chain, ChainState::pendingCommits)
        .description("Commits from the block channel waiting behind a gap").strongReference(true).register(registry);
    Timer fsync = Timer.builder("peerlink.chain.fsync")
        .description("Durable store writes: one record written and fdatasync'ed (the fsync dominates)")
        .serviceLevelObjectives(FSYNC_BUCKETS).register(registry);
    chain.onDurableWrite(nanos -> fsync.record(nanos, TimeUnit.NANOSECONDS));
    DistributionSummary group = DistributionSummary.builder("peerlink.chain.group.blocks")
        .description("Blocks written by each group commit, with its one fdatasync").register(registry);
    chain.onGroupWritten(group::record);
  }

  private static double blocksHeld(ChainState chain) {
    long last = chain.lastBlockNumber();
    long first = chain.firstRetainedBlock();
    return Long.compareUnsigned(last, first) < 0 ? 0 : SyncGauges.unsigned(last - first + 1);
  }

  private static double bytesOnDisk(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted by retention between listing and sizing
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return Double.NaN;
    }
  }

  /**
   * Counts each commit by what the chain did with it, once it is decided: an applied commit only
   * once its group is durable; one that failed to apply (at once, or its group was never written)
   * counts as failed.
   */
  static CommitIntake countCommits(MeterRegistry registry, ChainState chain) {
    Map<IntakeOutcome, Counter> byOutcome = new EnumMap<>(IntakeOutcome.class);
    for (IntakeOutcome o : IntakeOutcome.values()) {
      byOutcome.put(o, commits(registry, o.name().toLowerCase(Locale.ROOT)));
    }
    Counter failed = commits(registry, "failed");
    return commit -> {
      CompletableFuture<IntakeOutcome> outcome;
      try {
        outcome = chain.submit(commit);
      } catch (IOException | RuntimeException e) {
        failed.increment();
        throw e;
      }
      return outcome.whenComplete((o, e) -> (e != null ? failed : byOutcome.get(o)).increment());
    };
  }

  private static Counter commits(MeterRegistry registry, String outcome) {
    return Counter.builder("peerlink.block.channel.commits")
        .description("Commits received on the block channel, by what the master did with them")
        .tags("outcome", outcome).register(registry);
  }
}
