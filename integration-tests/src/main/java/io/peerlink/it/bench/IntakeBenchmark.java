package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Block intake against the packaged master ({@link PackagedMaster}): a {@link CommitSender}
 * streams commits on the block channel as fast as the socket takes them, and the rate is the
 * commits over the time until the master's status shows the last one (applied, so durable).
 * After each repetition, with the master idle, the disk's fdatasync rate is measured in the
 * chain's own directory: small appends each forced with {@code force(false)}, as the chain log
 * writes a record, bounded in count and time. The master's own metrics say how many commits
 * each group commit (one record, one fdatasync) carried.
 */
final class IntakeBenchmark {
  private static final Duration DEADLINE = Duration.ofMinutes(5);
  private static final int SEND_BATCH = 1_000;
  /** The master's count of group commits written (records, each with one fdatasync). */
  private static final String GROUPS = "peerlink_chain_group_blocks_count";

  private final BenchConfig config;
  private final Results results;

  IntakeBenchmark(BenchConfig config, Results results) {
    this.config = config;
    this.results = results;
  }

  /** Commits per repetition: enough for some seconds at the grouped rate, in the full run. */
  private int commits() {
    return switch (config.name()) {
      case "smoke" -> 500;
      case "quick" -> 20_000;
      default -> 100_000;
    };
  }

  void run() throws Exception {
    Path jar = PackagedMaster.jar();
    IntakeResults intake = results.sync.intake;
    intake.commitsPerRep = commits();
    intake.master = jar.toString();
    boolean smoke = config.name().equals("smoke");
    Path dir = Files.createTempDirectory("peerlink-intake-");
    try (TransportRegistry transports = TransportRegistry.installed();
        PackagedMaster master = PackagedMaster.start(jar, dir, transports)) {
      long next = master.client.lastBlockNumber().get() + 1;
      for (int rep = 0; rep < config.reps(); rep++) {
        List<CommittedEpochData> commits = CommitSender.syntheticCommits(1, next, next + intake.commitsPerRep - 1);
        double groupsBefore = master.metric(GROUPS);
        double perSecond = stream(master, transports, commits);
        double blocksPerFsync = commits.size() / (master.metric(GROUPS) - groupsBefore);
        next += intake.commitsPerRep;
        double fsyncs = DiskRates.fdatasyncPerSecond(master.storage(), smoke ? 50 : 3_000, Duration.ofSeconds(smoke ? 1 : 3));
        intake.add(perSecond, fsyncs, blocksPerFsync);
        System.out.printf(Locale.ROOT, "  rep %d/%d  %,d commits: %,.0f commits/s; fdatasync %,.0f/s; ratio %.1f;"
            + " %.1f commits per group commit%n", rep + 1, config.reps(), commits.size(), perSecond, fsyncs,
            perSecond / fsyncs, blocksPerFsync);
      }
    } finally {
      DiskRates.deleteTree(dir);
    }
  }

  /** Sends the commits in batches, each written before the next; commits/s until the last is applied. */
  private static double stream(PackagedMaster master, TransportRegistry transports, List<CommittedEpochData> commits)
      throws Exception {
    long last = commits.get(commits.size() - 1).globalExecIndex();
    try (CommitSender sender = CommitSender.connect(transports, master.blockChannel, Duration.ofSeconds(5))) {
      long t0 = System.nanoTime();
      for (int from = 0; from < commits.size(); from += SEND_BATCH) {
        sender.send(commits.subList(from, Math.min(commits.size(), from + SEND_BATCH)), DEADLINE);
      }
      long done = master.awaitBlock(last, DEADLINE);
      return commits.size() / ((done - t0) / 1e9);
    }
  }
}
