package io.peerlink.it.bench;

import java.time.Duration;
import java.util.List;

/**
 * How long and how often each part runs.
 *
 * @param name {@code full}, {@code quick} or {@code smoke}
 * @param reps repetitions; every figure is the median over them, variants alternating per repetition
 * @param forks JMH forks per measurement: 1 gives each variant a fresh JVM; 0 runs in this JVM
 *     (quick: saves a JVM start and warm-up per measurement)
 * @param warmupIterations JMH warm-up iterations per measurement
 * @param warmupTime length of each warm-up iteration
 * @param measurementIterations JMH measured iterations per measurement
 * @param measurementTime length of each measured iteration
 * @param variants which stacks the status benchmarks compare
 * @param peerCounts the discovery sizes
 * @param hungFraction share of hung peers in the second discovery scenario of each size
 * @param queryTimeout the discovery's per-peer query timeout
 * @param idleCount idle connections the master holds in the idle benchmark
 * @param rttSample how long each idle-benchmark RTT sample runs (it also stops at 200,000 calls)
 */
public record BenchConfig(String name, int reps, int forks, int warmupIterations, Duration warmupTime,
    int measurementIterations, Duration measurementTime, List<Variant> variants, List<Integer> peerCounts,
    double hungFraction, Duration queryTimeout, int idleCount, Duration rttSample) {

  /** The same run over other status variants. */
  public BenchConfig withVariants(List<Variant> variants) {
    return new BenchConfig(name, reps, forks, warmupIterations, warmupTime, measurementIterations, measurementTime,
        List.copyOf(variants), peerCounts, hungFraction, queryTimeout, idleCount, rttSample);
  }

  /** The same run with another number of repetitions: more of them steady a median on a noisy machine. */
  public BenchConfig withReps(int reps) {
    return new BenchConfig(name, reps, forks, warmupIterations, warmupTime, measurementIterations, measurementTime,
        variants, peerCounts, hungFraction, queryTimeout, idleCount, rttSample);
  }

  /**
   * The default run: a fresh JVM per measurement. A fresh JVM takes 5 to 8 s of round trips before
   * the JIT has compiled Netty's and gRPC's paths (gRPC's round trip falls from 5 ms to 0.1 ms over
   * that time), hence the long warm-up. About 11 minutes on 2 cores.
   */
  public static BenchConfig full() {
    return new BenchConfig("full", 3, 1, 6, Duration.ofSeconds(1), 3, Duration.ofSeconds(1), Variant.all(),
        List.of(10, 100, 1000), 0.10, Duration.ofSeconds(2), 10_000, Duration.ofSeconds(2));
  }

  /** {@code --quick}: everything, in this JVM, short iterations; under 3 minutes on 2 cores. */
  public static BenchConfig quick() {
    return new BenchConfig("quick", 3, 0, 1, Duration.ofMillis(400), 2, Duration.ofMillis(300), Variant.all(),
        List.of(10, 100, 1000), 0.10, Duration.ofSeconds(1), 10_000, Duration.ofMillis(700));
  }

  /** {@code --smoke}: proves every part runs, in seconds; its figures mean nothing. */
  public static BenchConfig smoke() {
    return new BenchConfig("smoke", 1, 0, 0, Duration.ofMillis(50), 1, Duration.ofMillis(100),
        List.of(Variant.PEERLINK_TCP, Variant.RAW_TCP), List.of(10), 0.10, Duration.ofMillis(300), 100,
        Duration.ofMillis(100));
  }
}
