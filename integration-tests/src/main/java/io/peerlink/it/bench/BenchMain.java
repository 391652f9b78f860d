package io.peerlink.it.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./peerlink bench [--quick]}: the status micro-benchmarks (JMH), discovery over 10 to 1,000
 * peers, 10,000 idle connections, catch-up from three packaged peers with the disk's limits, block
 * intake into the packaged master, and peer-port floods, in one run; prints
 * a table and writes {@code summary.json}. Exit code 0 when everything ran (targets missed are reported, not failed),
 * 1 when a part failed, 2 on bad arguments.
 */
public final class BenchMain {

  private static final String USAGE = String.join("\n",
      "usage: peerlink bench [--quick | --smoke] [--only PART,...] [--variants KEY,...] [--reps N] [--out DIR]",
      "  --quick         everything in under 3 minutes on 2 cores (in-process JMH, shorter runs)",
      "  --smoke         a few seconds; proves every part runs, figures mean nothing",
      "  --only          parts to run: status, split, discovery, idle, sync, flood (default: all);",
      "                  sync is catch-up from 3 peers, the disk's limits and block intake; intake is the last alone",
      "  --variants      status variants: peerlink_unix, peerlink_tcp, raw_unix, raw_tcp, grpc_tcp, grpc_unix",
      "  --reps N        repetitions, 1-100 (default: 3, 1 with --smoke); every figure is their median",
      "  --out DIR       where summary.json goes (default: target/bench)");

  private static final List<String> PARTS = List.of("status", "split", "discovery", "idle", "sync", "intake", "flood");

  private BenchMain() {
  }

  public static void main(String[] args) {
    QuietLogs.apply();
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("peerlink bench: " + e.getMessage());
      System.err.println(USAGE);
      code = 2;
    }
    System.exit(code);
  }

  /** Runs the benchmarks; returns the exit code. */
  public static int run(String[] args) {
    BenchConfig config = BenchConfig.full();
    Path out = Path.of("target", "bench");
    Set<String> parts = new LinkedHashSet<>(PARTS);
    List<Variant> variants = null;
    Integer reps = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick":
          config = BenchConfig.quick();
          break;
        case "--smoke":
          config = BenchConfig.smoke();
          break;
        case "--out":
          out = Path.of(value(args, ++i, "--out"));
          break;
        case "--only":
          parts = new LinkedHashSet<>(List.of(value(args, ++i, "--only").split(",")));
          for (String p : parts) {
            if (!PARTS.contains(p)) {
              throw new IllegalArgumentException("unknown part '" + p + "'; expected one of " + PARTS);
            }
          }
          break;
        case "--variants":
          variants = new ArrayList<>();
          for (String k : value(args, ++i, "--variants").split(",")) {
            try {
              variants.add(Variant.of(k));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("unknown variant '" + k + "'; expected one of "
                  + Variant.all().stream().map(Variant::key).toList());
            }
          }
          break;
        case "--reps":
          reps = count(value(args, ++i, "--reps"), "--reps", 1, 100);
          break;
        case "-h":
        case "--help":
          System.out.println(USAGE);
          return 0;
        default:
          throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
      }
    }
    if (variants != null) {
      config = config.withVariants(variants);
    }
    if (reps != null) {
      config = config.withReps(reps);
    }

    return run(config, parts, out);
  }

  /** Runs the given parts with a configuration; returns the exit code. */
  static int run(BenchConfig config, Set<String> parts, Path out) {
    String machine = Machine.describe();
    String loadBefore = Machine.loadAverage();
    System.out.println("peerlink bench (" + config.name() + "): " + machine);
    System.out.println("load average at start: " + loadBefore
        + (Double.parseDouble(loadBefore.split(" ")[0]) >= 1 ? "  (busy machine: figures will be noisy)" : ""));
    Results results = new Results();
    int failures = 0;
    long t0 = System.nanoTime();
    if (parts.contains("status")) {
      failures += part("status round trip and throughput", () -> new MicroBenchmarks(config, results).run());
    }
    if (parts.contains("split")) {
      failures += part("round trip split: client side and server side", () -> new RttSplit(config, results).run());
    }
    if (parts.contains("discovery")) {
      failures += part("discovery", () -> new DiscoveryBenchmark(config, results).run());
    }
    if (parts.contains("idle")) {
      failures += part("idle connections", () -> new IdleConnectionsBenchmark(config, results).run());
    }
    if (parts.contains("sync")) {
      failures += part("catch-up from 3 peers, and the disk's limits",
          () -> new CatchUpBenchmark(config, results).run());
    }
    if (parts.contains("sync") || parts.contains("intake")) {
      failures += part("block intake and fdatasync", () -> new IntakeBenchmark(config, results).run());
    }
    if (parts.contains("flood")) {
      failures += part("peer-port floods against the packaged master", () -> new FloodBenchmark(config, results).run());
    }
    String load = loadBefore + " at start, " + Machine.loadAverage() + " at end (1/5/15 min)";
    Summary summary = new Summary(config, results, machine, load);
    summary.print(System.out);
    Path file = out.resolve("summary.json").toAbsolutePath();
    try {
      summary.write(file);
      System.out.printf(Locale.ROOT, "%nwrote %s (%.0f s)%n", file, (System.nanoTime() - t0) / 1e9);
    } catch (Exception e) {
      System.err.println("peerlink bench: could not write " + file + ": " + e);
      failures++;
    }
    return failures == 0 ? 0 : 1;
  }

  private interface Part {
    void run() throws Exception;
  }

  private static int part(String name, Part part) {
    System.out.println();
    System.out.println("== " + name);
    long t0 = System.nanoTime();
    try {
      part.run();
      System.out.printf(Locale.ROOT, "   (%.0f s)%n", (System.nanoTime() - t0) / 1e9);
      return 0;
    } catch (Exception | AssertionError e) {
      System.err.println("peerlink bench: " + name + " failed: " + e);
      e.printStackTrace();
      return 1;
    }
  }

  private static int count(String text, String option, int min, int max) {
    try {
      int n = Integer.parseInt(text);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " '" + text + "': expected a whole number " + min + "-" + max);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
