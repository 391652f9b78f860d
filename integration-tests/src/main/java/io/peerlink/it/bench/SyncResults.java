package io.peerlink.it.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sync part's samples and how the summary shows them: catch-up from three peers
 * ({@link CatchUpBenchmark}) per block size and fetching variant, the disk's limits measured in
 * the same run, and block intake ({@link IntakeResults}); the {@code sync} object of summary.json,
 * a table, and the targets (reported, not asserted).
 */
final class SyncResults {
  /** Small blocks: the node's default fetching at least this many times parallelism 1. */
  static final double SPEEDUP_TARGET = 5;
  /** Small blocks: at least this many blocks/s with the default fetching. */
  static final double SMALL_BLOCKS_TARGET = 100_000;
  /** 100 KB blocks: at least this share of the disk's sequential write rate. */
  static final double WRITE_SHARE_TARGET = 0.5;

  /** One catch-up scenario's samples: a block size and a fetching variant. */
  static final class CatchUp {
    final String kind;
    final String variant;
    final int rawBytes;
    final int count;
    final int blockBytes;
    final List<Double> blocksPerSecond = new ArrayList<>();
    final List<Double> mbPerSecond = new ArrayList<>();
    /** From the node's master's first answer to the tip. */
    final List<Double> seconds = new ArrayList<>();
    /** From the node's master's first answer to its first block. */
    final List<Double> firstBlockSeconds = new ArrayList<>();

    /** CPU seconds of the node and the three peers per second of the same span: the cores it kept busy. */
    final List<Double> coresBusy = new ArrayList<>();
    /** The node's share of {@link #coresBusy}. */
    final List<Double> nodeCores = new ArrayList<>();
    /** CPU microseconds, node and peers together, per block caught up. */
    final List<Double> cpuMicrosPerBlock = new ArrayList<>();
    private double lastBlocks;
    private double lastSeconds;

    CatchUp(String kind, String variant, int rawBytes, int count, int blockBytes) {
      this.kind = kind;
      this.variant = variant;
      this.rawBytes = rawBytes;
      this.count = count;
      this.blockBytes = blockBytes;
    }

    /** One catch-up: {@code blocks} in {@code streaming} seconds after the first; the whole and the start. */
    void add(long blocks, double streaming, double total, double toFirst) {
      seconds.add(total);
      firstBlockSeconds.add(toFirst);
      blocksPerSecond.add(blocks / streaming);
      mbPerSecond.add(blocks * (double) blockBytes / 1e6 / streaming);
      lastBlocks = blocks;
      lastSeconds = streaming;
    }

    /** The CPU seconds of the node and of the peers over the span of the last {@link #add}. */
    void addCpu(double nodeSeconds, double peerSeconds) {
      coresBusy.add((nodeSeconds + peerSeconds) / lastSeconds);
      nodeCores.add(nodeSeconds / lastSeconds);
      cpuMicrosPerBlock.add((nodeSeconds + peerSeconds) * 1e6 / lastBlocks);
    }

    /**
     * The rate the machine's cores would allow at this run's CPU cost per block, were they all
     * busy with it: what bounds a run that already keeps them busy.
     */
    double cpuBoundBlocksPerSecond() {
      return Runtime.getRuntime().availableProcessors() * 1e6 / Results.median(cpuMicrosPerBlock);
    }
  }

  /** Block intake on the block channel, with the fdatasync rate beside it. */
  final IntakeResults intake = new IntakeResults();
  private final Map<String, CatchUp> catchUps = new LinkedHashMap<>();
  final List<Double> sequentialWriteMbPerSecond = new ArrayList<>();
  final List<Double> fdatasyncPerSecond = new ArrayList<>();
  long sequentialWriteBytes;
  /** Whether the node logged {@link CatchUpBenchmark#PARALLEL_KEY} as a key it does not use. */
  Boolean parallelKeyIgnored;
  String master = "";

  CatchUp catchUp(String kind, String variant, int rawBytes, int count, int blockBytes) {
    return catchUps.computeIfAbsent(kind + "/" + variant, k -> new CatchUp(kind, variant, rawBytes, count, blockBytes));
  }

  void addDisk(double writeMbPerSecond, double fdatasyncs) {
    sequentialWriteMbPerSecond.add(writeMbPerSecond);
    fdatasyncPerSecond.add(fdatasyncs);
  }

  boolean isEmpty() {
    return intake.isEmpty() && catchUps.isEmpty();
  }

  private double median(String kind, String variant, boolean mb) {
    CatchUp c = catchUps.get(kind + "/" + variant);
    return c == null ? Double.NaN : Results.median(mb ? c.mbPerSecond : c.blocksPerSecond);
  }

  List<Summary.Target> targets() {
    List<Summary.Target> t = new ArrayList<>();
    if (catchUps.containsKey("small/default")) {
      double small = median("small", "default", false);
      t.add(new Summary.Target("catch-up small blocks: default / parallelism 1", small
          / median("small", "parallelism_1", false), ">=", SPEEDUP_TARGET));
      t.add(new Summary.Target("catch-up small blocks: blocks/s", small, ">=", SMALL_BLOCKS_TARGET));
    }
    if (catchUps.containsKey("100KB/default")) {
      t.add(new Summary.Target("catch-up 100 KB blocks: MB/s / sequential write MB/s", median("100KB", "default", true)
          / Results.median(sequentialWriteMbPerSecond), ">=", WRITE_SHARE_TARGET));
    }
    intake.target().ifPresent(t::add);
    return t;
  }

  void print(PrintStream out) {
    if (!catchUps.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "%-22s %9s %11s %12s %10s %9s %8s %6s %9s %12s%n", "catch-up (3 peers)", "blocks",
          "block bytes", "blocks/s", "MB/s", "1st blk s", "tip s", "cores", "CPU us/bl", "CPU bound/s");
      for (CatchUp c : catchUps.values()) {
        out.printf(Locale.ROOT, "%-22s %,9d %,11d %,12.0f %10.1f %9.2f %8.2f %6.2f %9.1f %,12.0f%n",
            c.kind + " " + c.variant, c.count, c.blockBytes, Results.median(c.blocksPerSecond),
            Results.median(c.mbPerSecond), Results.median(c.firstBlockSeconds), Results.median(c.seconds),
            Results.median(c.coresBusy), Results.median(c.cpuMicrosPerBlock), c.cpuBoundBlocksPerSecond());
      }
      out.println("cores: CPU seconds of the node and its three peers per second of the catch-up; CPU us/bl: their"
          + " CPU per block; CPU bound/s: the blocks/s all " + Runtime.getRuntime().availableProcessors()
          + " cores allow at that cost");
      if (Boolean.TRUE.equals(parallelKeyIgnored)) {
        out.println(CatchUpBenchmark.PARALLEL_KEY
            + ": ignored by this node (no parallel fetcher): the variants fetch alike");
      }
      out.printf(Locale.ROOT, "disk: sequential write %,.0f MB/s (%,d MB, forced), fdatasync %,.0f/s  (%s)%n",
          Results.median(sequentialWriteMbPerSecond), sequentialWriteBytes >> 20, Results.median(fdatasyncPerSecond),
          master);
    }
    intake.print(out);
  }

  /** The {@code sync} object of summary.json: {@code catch_up[]}, {@code disk}, {@code intake}. */
  String json() {
    StringBuilder j = new StringBuilder("{\"catch_up\": [");
    boolean first = true;
    for (CatchUp c : catchUps.values()) {
      j.append(first ? "" : ",").append("\n    {\"blocks\": ").append(Summary.str(c.kind)).append(", \"variant\": ")
          .append(Summary.str(c.variant)).append(", \"raw_block_bytes\": ").append(c.rawBytes)
          .append(", \"count\": ").append(c.count).append(", \"block_bytes\": ").append(c.blockBytes)
          .append(", \"blocks_per_s\": ").append(Summary.num(Results.median(c.blocksPerSecond)))
          .append(", \"mb_per_s\": ").append(Summary.num(Results.median(c.mbPerSecond)))
          .append(", \"seconds\": ").append(Summary.num(Results.median(c.seconds)))
          .append(", \"first_block_s\": ").append(Summary.num(Results.median(c.firstBlockSeconds)))
          .append(", \"cores_busy\": ").append(Summary.num(Results.median(c.coresBusy)))
          .append(", \"node_cores_busy\": ").append(Summary.num(Results.median(c.nodeCores)))
          .append(", \"cpu_us_per_block\": ").append(Summary.num(Results.median(c.cpuMicrosPerBlock)))
          .append(", \"cpu_bound_blocks_per_s\": ").append(Summary.num(c.cpuBoundBlocksPerSecond())).append('}');
      first = false;
    }
    j.append(catchUps.isEmpty() ? "]" : "\n  ]");
    j.append(",\n  \"disk\": {\"sequential_write_mb_per_s\": ").append(Summary.num(
        Results.median(sequentialWriteMbPerSecond))).append(", \"sequential_write_bytes\": ")
        .append(sequentialWriteBytes).append(", \"fdatasync_per_s\": ")
        .append(Summary.num(Results.median(fdatasyncPerSecond))).append('}');
    j.append(",\n  \"peers\": 3, \"parallel_key\": ").append(Summary.str(CatchUpBenchmark.PARALLEL_KEY))
        .append(", \"parallel_key_ignored\": ").append(parallelKeyIgnored)
        .append(", \"master\": ").append(Summary.str(master));
    if (!intake.isEmpty()) {
      j.append(",\n  \"intake\": ").append(intake.json());
    }
    return j.append('}').toString();
  }
}
