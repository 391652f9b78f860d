package io.peerlink.it.bench;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * The sending side of a large answer over tcp alone: a peerlink tcp listener answers each 1-byte
 * request with a frame of {@code frameBytes} (a full {@code get_blocks_range} answer is 8 MiB), and
 * a plain blocking JDK socket reads it into one reused array, so the receiver costs only the
 * kernel's copy. What changes with the sender's buffers (one unpooled direct buffer per frame, or
 * pooled pieces) shows here. Run it with JMH's main, e.g.
 * {@code java -cp ... org.openjdk.jmh.Main LargeFrameSendBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LargeFrameSendBenchmark {

  @Param({"8388608", "1048576"})
  public int frameBytes;

  private LoopbackAnswers answers;

  @Setup(Level.Trial)
  public void start() throws IOException {
    byte[] answer = new byte[frameBytes];
    new Random(15).nextBytes(answer);
    answers = new LoopbackAnswers((conn, frame) -> conn.send(answer), frameBytes);
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    answers.close();
  }

  /** One request, one answer of {@code frameBytes}, read whole; {@link ProcessCpu} counts its CPU. */
  @Benchmark
  public int answer(ProcessCpu cpu) throws IOException {
    return answers.ask(cpu);
  }
}
