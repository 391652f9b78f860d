package io.peerlink.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link StatusBenchmark} through JMH's Runner: for each repetition, every variant and every
 * mode once, the variant order rotating per repetition, so that a slow phase of this shared machine
 * hits every variant alike instead of one of them.
 */
final class MicroBenchmarks {

  /** The benchmark methods of {@link StatusBenchmark}, by what they measure. */
  enum Mode {
    RTT("rtt", "rtt_us"),
    PIPELINED_1X64("pipelined1x64", "throughput_rps_1x64"),
    PIPELINED_4X64("pipelined4x64", "throughput_rps");

    final String method;
    final String summaryKey;

    Mode(String method, String summaryKey) {
      this.method = method;
      this.summaryKey = summaryKey;
    }
  }

  private final BenchConfig config;
  private final Results results;

  MicroBenchmarks(BenchConfig config, Results results) {
    this.config = config;
    this.results = results;
  }

  void run() throws RunnerException {
    List<Variant> variants = new ArrayList<>();
    for (Variant v : config.variants()) {
      String problem = probe(v);
      if (problem == null) {
        variants.add(v);
      } else {
        System.out.println("  " + v.key() + " skipped: " + problem);
        results.skipped.put(v.key(), problem);
      }
    }
    if (variants.isEmpty()) {
      throw new IllegalStateException("no status variant can run here: " + results.skipped);
    }
    if (config.forks() == 0 && config.warmupIterations() > 0) {
      // In-process, the first variant measured would pay for the JIT compiling code all share and the
      // code it alone uses. One short pass over everything, discarded, evens the start.
      System.out.println("  warm-up pass (discarded)");
      for (Variant v : variants) {
        for (Mode mode : Mode.values()) {
          measure(v, mode, 1, config.warmupTime().toMillis(), 1, 100);
        }
      }
    }
    for (int rep = 0; rep < config.reps(); rep++) {
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get((i + rep) % variants.size());
        for (Mode mode : Mode.values()) {
          double score = measure(v, mode, config.warmupIterations(), config.warmupTime().toMillis(),
              config.measurementIterations(), config.measurementTime().toMillis());
          results.addMicro(mode, v, score);
          System.out.printf(Locale.ROOT, "  rep %d/%d  %-14s %-14s %,12.1f %s%n", rep + 1, config.reps(), v.key(),
              mode.method, score, mode == Mode.RTT ? "us" : "req/s");
        }
      }
    }
  }

  /** Null when the variant answers here; else why not (a transport missing, no epoll, ...). */
  private static String probe(Variant v) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory(Path.of("/tmp"), "plb");
      try (StatusServer server = v.start(dir); StatusClient client = server.connect(false)) {
        client.call();
      }
      return null;
    } catch (Exception | LinkageError e) {
      return String.valueOf(e.getMessage() != null ? e.getMessage() : e);
    } finally {
      if (dir != null) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // a temp dir left behind
        }
      }
    }
  }

  private double measure(Variant v, Mode mode, int warmups, long warmupMs, int iterations, long iterationMs)
      throws RunnerException {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include(Pattern.quote(StatusBenchmark.class.getName() + "." + mode.method) + "$")
        .param("variant", v.key())
        .forks(config.forks())
        .warmupIterations(warmups)
        .warmupTime(TimeValue.milliseconds(warmupMs))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.milliseconds(iterationMs))
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT);
    if (config.forks() > 0) {
      b.jvmArgs("-Xms512m", "-Xmx512m", "-Djava.io.tmpdir=/tmp",
          "-Dlogback.configurationFile=" + QuietLogs.LOGBACK_CONFIG);
    }
    Collection<RunResult> run = new Runner(b.build()).run();
    List<RunResult> list = new ArrayList<>(run);
    if (list.size() != 1) {
      throw new RunnerException("expected one result for " + v.key() + " " + mode.method + ", got " + list.size());
    }
    return list.get(0).getPrimaryResult().getScore();
  }
}
