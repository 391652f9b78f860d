package io.peerlink.it.bench;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Catch-up from three peers into an empty node, all packaged ({@link PackagedMaster}): three
 * {@code run --master-only} peers serve the same chain ({@link SyncChain}, fed to one through
 * {@code sync_blocks}, its store copied for the other two), and a node ({@code run}, both roles,
 * the three peers configured) starts empty on a fresh directory each time. The rate runs from
 * the first block its master holds until its master holds the tip, so blocks/s and MB/s (encoded
 * blocks as peers send them); the time from its master's first answer to the first block
 * (discovery, the tip's confirmation) and to the tip is kept beside it. Small blocks and blocks
 * of 100 KB {@code raw_block_bytes}; each with the node's default fetching and with {@code
 * commit_sync_parallel_fetches = 1} (a node without the parallel fetcher logs the key as unused,
 * and both fetch alike), alternating which goes first per repetition, after one unrecorded
 * warm-up catch-up. After each repetition the disk's sequential write rate and fdatasync rate
 * are measured in the same directory ({@link DiskRates}): the limits.
 */
final class CatchUpBenchmark {
  private static final Duration DEADLINE = Duration.ofMinutes(10);
  private static final int LARGE_RAW_BYTES = 100_000;
  /** The seed's key for the parallel fetcher's fetches in flight; a node without that fetcher ignores it. */
  static final String PARALLEL_KEY = "commit_sync_parallel_fetches";
  /** Every 5 ms: seconds-long catch-ups lose little, and the node keeps the CPU it shares with the poller. */
  private static final long POLL_NANOS = 5_000_000;
  /** The node's log line naming config keys it does not use ({@code ConfigLoader}). */
  private static final Pattern IGNORED = Pattern.compile("Ignoring config keys this node does not use: .*"
      + Pattern.quote(PARALLEL_KEY));
  /** The peers' JVM options; more with {@code -Dpeerlink.bench.sync.peer.jvm="..."} (e.g. a JFR recording). */
  private static final List<String> PEER_JVM = withProperty(List.of("-Xmx1g"), "peerlink.bench.sync.peer.jvm");
  /** The node's: the JVM's defaults, as {@code ./peerlink run}; more with {@code -Dpeerlink.bench.sync.jvm="..."}. */
  private static final List<String> NODE_JVM = withProperty(List.of(), "peerlink.bench.sync.jvm");

  /** Which block sizes run: both by default; {@code -Dpeerlink.bench.sync.kinds=100KB} for one while profiling. */
  private static final List<String> KINDS = List.of(System.getProperty("peerlink.bench.sync.kinds", "small,100KB")
      .split(","));

  /**
   * With {@code -Dpeerlink.bench.sync.baseline=JAR}, a third variant, {@code baseline_node}: the
   * node from another build (e.g. one from before the parallel fetcher) catches up from the same
   * peers with its own defaults, for a before/after in one run.
   */
  private static final Path BASELINE_JAR = System.getProperty("peerlink.bench.sync.baseline") == null ? null
      : Path.of(System.getProperty("peerlink.bench.sync.baseline")).toAbsolutePath();

  /** More config lines for every node, {@code ;}-separated: {@code -Dpeerlink.bench.sync.node.config="a = 1; b = 2"}. */
  private static final List<String> NODE_CONFIG = List.of(System.getProperty("peerlink.bench.sync.node.config", "")
      .split(";")).stream().map(String::trim).filter(line -> !line.isEmpty()).toList();

  private final BenchConfig config;
  private final SyncResults results;

  CatchUpBenchmark(BenchConfig config, Results results) {
    this.config = config;
    this.results = results.sync;
  }

  private static List<String> withProperty(List<String> base, String property) {
    List<String> out = new ArrayList<>(base);
    out.addAll(PackagedMaster.jvmOptions(property));
    return List.copyOf(out);
  }

  /** Small blocks per catch-up: the 200,000 in the full run. */
  private int smallBlocks() {
    return switch (config.name()) {
      case "smoke" -> 500;
      case "quick" -> 20_000;
      default -> 200_000;
    };
  }

  /**
   * 100 KB blocks per catch-up. Not the 200,000: that is 20 GB per copy, and the run holds
   * four copies (three peers, the node) beside a seed, more than the machine's disk. 20,000 blocks
   * (2 GB a copy) keep the node at it for seconds after its JIT and heap have settled; with 5,000
   * the window was under two seconds, half of it a fresh JVM's warm-up. {@code
   * -Dpeerlink.bench.sync.large_blocks=N} sets another count.
   */
  private int largeBlocks() {
    String count = System.getProperty("peerlink.bench.sync.large_blocks");
    if (count != null) {
      try {
        int n = Integer.parseInt(count.strip());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // named below
      }
      throw new IllegalArgumentException("-Dpeerlink.bench.sync.large_blocks=" + count
          + ": expected a whole number of 100 KB blocks per catch-up, at least 1");
    }
    return switch (config.name()) {
      case "smoke" -> 20;
      case "quick" -> 1_000;
      default -> 20_000;
    };
  }

  private long sequentialBytes() {
    return switch (config.name()) {
      case "smoke" -> 8L << 20;
      case "quick" -> 256L << 20;
      default -> 1L << 30;
    };
  }

  void run() throws Exception {
    Path jar = PackagedMaster.jar();
    results.master = jar.toString();
    results.sequentialWriteBytes = sequentialBytes();
    int large = largeBlocks(); // a bad -D value fails here, before anything runs
    Path root = Files.createTempDirectory("peerlink-sync-");
    try (TransportRegistry transports = TransportRegistry.installed()) {
      if (KINDS.contains("small")) {
        run(jar, root, transports, new SyncChain(0), smallBlocks(), "small");
      }
      if (KINDS.contains("100KB")) {
        run(jar, root, transports, new SyncChain(LARGE_RAW_BYTES), large, "100KB");
      }
    } finally {
      DiskRates.deleteTree(root);
    }
  }

  private void run(Path jar, Path root, TransportRegistry transports, SyncChain chain, int count, String kind)
      throws Exception {
    long copyBytes = (long) count * chain.encodedBytes();
    long needed = 5 * copyBytes + sequentialBytes() + (1L << 30); // seed, three peers, the node; a GB spare
    long free = Files.getFileStore(root).getUsableSpace();
    if (free < needed) {
      throw new IllegalStateException(String.format(Locale.ROOT, "%s: %,d blocks of %,d bytes need %,d MB free in %s;"
          + " %,d MB are", kind, count, chain.encodedBytes(), needed >> 20, root, free >> 20));
    }
    List<Path> peerDirs = seedPeers(jar, root.resolve(kind), transports, chain, count);
    List<PackagedMaster> peers = new ArrayList<>();
    // Every node of this size listens for peers on one port, which the peers list as a configured
    // peer, as masters of one network list each other: they serve it the configured peers' range
    // budget (limits.peer_rpc.peer_range_blocks_per_second), not a stranger's.
    int nodePort = LoopbackPorts.pick();
    try {
      for (Path dir : peerDirs) {
        List<String> peerConfig = new ArrayList<>(peerConfig(count));
        peerConfig.add("peer_go_master_sockets = [\"tcp://127.0.0.1:" + nodePort + "\"]");
        peers.add(PackagedMaster.start(jar, dir, transports, peerConfig, true, PEER_JVM));
      }
      List<String> nodeBase = new ArrayList<>(List.of("peer_go_master_sockets = [" + String.join(", ", peers.stream()
          .map(p -> "\"tcp://127.0.0.1:" + p.peerPort + "\"").toList()) + "]", "discovery.interval = 1s",
          "peer_rpc_port = " + nodePort));
      nodeBase.addAll(NODE_CONFIG);
      SyncResults.CatchUp defaults = results.catchUp(kind, "default", chain.rawBytes(), count, chain.encodedBytes());
      SyncResults.CatchUp single = results.catchUp(kind, "parallelism_1", chain.rawBytes(), count,
          chain.encodedBytes());
      // Unrecorded: the first catch-up from freshly started peers also pays for their JIT and page
      // cache (in the smoke run, twice the time to the first block), which would favour whichever
      // variant goes second.
      catchUp(jar, root.resolve(kind + "-node"), transports, nodeBase,
          new SyncResults.CatchUp(kind, "warm-up", chain.rawBytes(), count, chain.encodedBytes()), -1, peers);
      SyncResults.CatchUp baseline = BASELINE_JAR == null ? null
          : results.catchUp(kind, "baseline_node", chain.rawBytes(), count, chain.encodedBytes());
      for (int rep = 0; rep < config.reps(); rep++) {
        List<SyncResults.CatchUp> order = new ArrayList<>(rep % 2 == 0 ? List.of(defaults, single)
            : List.of(single, defaults));
        if (baseline != null) {
          order.add(rep % 2, baseline);
        }
        for (SyncResults.CatchUp variant : order) {
          List<String> nodeConfig = new ArrayList<>(nodeBase);
          if (variant == single) {
            nodeConfig.add(PARALLEL_KEY + " = 1");
          }
          catchUp(variant == baseline ? BASELINE_JAR : jar, root.resolve(kind + "-node"), transports, nodeConfig,
              variant, rep, peers);
        }
        measureDisk(root, rep);
      }
    } finally {
      for (PackagedMaster peer : peers) {
        peer.close();
      }
      DiskRates.deleteTree(root.resolve(kind));
    }
  }

  /** Feeds one master the chain, stops it, and copies its store for three peers; their directories. */
  private List<Path> seedPeers(Path jar, Path dir, TransportRegistry transports, SyncChain chain, int count)
      throws Exception {
    Path seed = Files.createDirectories(dir.resolve("seed"));
    long t0 = System.nanoTime();
    try (PackagedMaster master = PackagedMaster.start(jar, seed, transports, peerConfig(count), true, PEER_JVM)) {
      chain.feed(master.client, 1, count, DEADLINE);
    }
    List<Path> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path peer = Files.createDirectories(dir.resolve("peer" + i));
      copyTree(seed.resolve("data"), peer.resolve("data"));
      peers.add(peer);
    }
    DiskRates.deleteTree(seed);
    System.out.printf(Locale.ROOT, "  %,d blocks of %,d bytes fed to a peer and copied to three (%.1f s)%n", count,
        chain.encodedBytes(), (System.nanoTime() - t0) / 1e9);
    return peers;
  }

  /** A peer keeps the whole chain: a master prunes all but its newest 100,000 blocks by default. */
  private static List<String> peerConfig(int count) {
    return List.of("storage.retention_blocks = " + count);
  }

  /**
   * One catch-up into a fresh node. Besides the rates, the CPU time the node and the peers used
   * over the same span (the bench's own polling is not counted): what bounds a run that keeps the
   * cores busy.
   */
  private void catchUp(Path jar, Path dir, TransportRegistry transports, List<String> nodeConfig,
      SyncResults.CatchUp variant, int rep, List<PackagedMaster> peers) throws Exception {
    Files.createDirectories(dir);
    try (PackagedMaster node = PackagedMaster.start(jar, dir, transports, nodeConfig, false, NODE_JVM)) {
      long t0 = System.nanoTime();
      double[] cpu0 = cpuSeconds(node, peers);
      long before = node.client.lastBlockNumber().get();
      long first = node.awaitBlock(before + 1, DEADLINE, POLL_NANOS);
      double[] cpuFirst = cpuSeconds(node, peers);
      long from = node.client.lastBlockNumber().get(); // read after "first": a slight undercount, never flattering
      long done = awaitTip(node, variant.count);
      double[] cpuDone = cpuSeconds(node, peers);
      if (from >= variant.count) { // the whole chain came in one step (a smoke-sized chain): time it from the start
        variant.add(variant.count - before, (done - t0) / 1e9, (done - t0) / 1e9, (first - t0) / 1e9);
        variant.addCpu(cpuDone[0] - cpu0[0], cpuDone[1] - cpu0[1]);
      } else {
        variant.add(variant.count - from, (done - first) / 1e9, (done - t0) / 1e9, (first - t0) / 1e9);
        variant.addCpu(cpuDone[0] - cpuFirst[0], cpuDone[1] - cpuFirst[1]);
      }
      if (nodeConfig.stream().anyMatch(line -> line.startsWith(PARALLEL_KEY))) {
        results.parallelKeyIgnored = IGNORED.matcher(node.logText()).find();
      }
      System.out.printf(Locale.ROOT, "  rep %2s/%d  %-6s %-14s %,d blocks: %,.0f blocks/s, %,.1f MB/s from the first"
          + " block (%.2f s after start); tip %.2f s after start; %.2f cores busy (node %.2f, peers %.2f)%n",
          rep < 0 ? "-" : rep + 1, config.reps(), variant.kind, variant.variant, variant.count,
          Results.last(variant.blocksPerSecond), Results.last(variant.mbPerSecond), (first - t0) / 1e9,
          (done - t0) / 1e9, Results.last(variant.coresBusy), Results.last(variant.nodeCores),
          Results.last(variant.coresBusy) - Results.last(variant.nodeCores));
    } finally {
      String keep = System.getProperty("peerlink.bench.sync.logs");
      if (keep != null) { // the node's log, kept for reading after the run
        Files.copy(dir.resolve("master.log"), Files.createDirectories(Path.of(keep))
            .resolve(variant.kind + "-" + variant.variant + "-" + rep + ".log"), StandardCopyOption.REPLACE_EXISTING);
      }
      DiskRates.deleteTree(dir);
    }
  }

  /** CPU seconds used so far by the node and by the peers together. */
  private static double[] cpuSeconds(PackagedMaster node, List<PackagedMaster> peers) {
    double sum = 0;
    for (PackagedMaster peer : peers) {
      sum += peer.cpuSeconds();
    }
    return new double[] {node.cpuSeconds(), sum};
  }

  /** {@link PackagedMaster#awaitBlock}; a node that does not get there fails with its log's last lines. */
  private static long awaitTip(PackagedMaster node, long tip) throws Exception {
    try {
      return node.awaitBlock(tip, DEADLINE, POLL_NANOS);
    } catch (IllegalStateException e) {
      List<String> lines = node.logText().lines().toList();
      throw new IllegalStateException(e.getMessage() + "; its last lines:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())), e);
    }
  }

  private void measureDisk(Path root, int rep) throws IOException {
    boolean smoke = config.name().equals("smoke");
    // Unrecorded first pass: the first large write after a catch-up's processes exit runs at a
    // third of the disk's rate, one core busy in the kernel with nothing written yet (measured back to
    // back: 452 then 1,512 MB/s); the page cache grows into memory this VM handed back to its host
    // (free page reporting) when those processes exited. That is the VM, not the disk.
    double first = DiskRates.sequentialWriteMbPerSecond(root, sequentialBytes(), Duration.ofSeconds(smoke ? 2 : 60));
    double write = DiskRates.sequentialWriteMbPerSecond(root, sequentialBytes(), Duration.ofSeconds(smoke ? 2 : 60));
    double fsyncs = DiskRates.fdatasyncPerSecond(root, smoke ? 50 : 3_000, Duration.ofSeconds(smoke ? 1 : 3));
    results.addDisk(write, fsyncs);
    System.out.printf(Locale.ROOT, "  rep %d/%d  disk: sequential write %,.0f MB/s (unrecorded first pass %,.0f MB/s),"
        + " fdatasync %,.0f/s%n", rep + 1, config.reps(), write, first, fsyncs);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
