package io.peerlink.it.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The status request over each {@link Variant}: round trip with one request in flight, and
 * throughput with 64 requests in flight on one connection and on each of 4 connections. Server and
 * clients share the JVM (and so the 2 cores) alike for every variant. {@link MicroBenchmarks} runs
 * it through JMH's Runner, one variant and mode at a time, interleaved.
 */
@State(Scope.Benchmark)
public class StatusBenchmark {

  /** Requests in flight per connection in the throughput modes. */
  public static final int WINDOW = 64;

  @Param({"peerlink_unix", "peerlink_tcp", "raw_unix", "raw_tcp", "grpc_tcp", "grpc_unix"})
  public String variant;

  private Path socketDir;
  private StatusServer server;

  @Setup(Level.Trial)
  public void startServer() throws Exception {
    QuietLogs.apply(); // in a forked JVM, BenchMain did not run
    socketDir = Files.createTempDirectory(Path.of("/tmp"), "plb");
    server = Variant.of(variant).start(socketDir);
  }

  @TearDown(Level.Trial)
  public void stopServer() throws Exception {
    server.close();
    Files.deleteIfExists(socketDir);
  }

  /** One client per benchmark thread, one request in flight: the caller waits for each answer. */
  @State(Scope.Thread)
  public static class OneInFlight {
    StatusClient client;

    @Setup(Level.Trial)
    public void connect(StatusBenchmark bench) throws Exception {
      client = bench.server.connect(false);
    }

    @TearDown(Level.Trial)
    public void close() {
      client.close();
    }
  }

  /** One pipelining client per benchmark thread, with at most {@link #WINDOW} requests in flight. */
  @State(Scope.Thread)
  public static class Window {
    StatusClient client;
    final Semaphore free = new Semaphore(WINDOW);
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Setup(Level.Trial)
    public void connect(StatusBenchmark bench) throws Exception {
      client = bench.server.connect(true);
    }

    /** Keeps the window full: waits for a free slot, then sends. */
    void sendOne() throws Exception {
      if (!free.tryAcquire(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no answer freed a slot of the " + WINDOW + "-request window in 10 s");
      }
      Throwable f = failure.get();
      if (f != null) {
        throw new IllegalStateException("a pipelined request failed", f);
      }
      client.callAsync((answer, err) -> {
        if (err != null) {
          failure.compareAndSet(null, err);
        }
        free.release();
      });
    }

    /** Lets the requests still in flight finish, so iterations do not overlap. */
    @TearDown(Level.Iteration)
    public void drain() throws InterruptedException {
      if (!free.tryAcquire(WINDOW, 10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("requests still in flight 10 s after the iteration ended");
      }
      free.release(WINDOW);
    }

    @TearDown(Level.Trial)
    public void close() {
      client.close();
    }
  }

  /** Round-trip time, one request in flight. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(1)
  public long rtt(OneInFlight c) throws Exception {
    return c.client.call();
  }

  /** Requests per second, 64 in flight on one connection. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(1)
  public void pipelined1x64(Window w) throws Exception {
    w.sendOne();
  }

  /** Requests per second, 64 in flight on each of 4 connections (one benchmark thread each). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(4)
  public void pipelined4x64(Window w) throws Exception {
    w.sendOne();
  }
}
