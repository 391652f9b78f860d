package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The receiving side of catch-up alone: decoding one {@code get_blocks_range} answer of 80 blocks
 * of 100 KB as MasterClient does ({@code Response.decode}), without sockets. With {@code -prof gc}
 * it shows what a received block costs the heap (issue 15: a decoded block kept its encoding and a
 * copy of its {@code raw_block_bytes}). Run it with JMH's main, e.g.
 * {@code java -cp peerlink-bench.jar org.openjdk.jmh.Main RangeDecodeBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RangeDecodeBenchmark {
  private static final int BLOCKS = 80;

  private byte[] answer;

  @Setup(Level.Trial)
  public void encode() {
    SyncChain source = new SyncChain(100 * 1024);
    List<BlockData> blocks = new ArrayList<>();
    for (long n = 1; n <= BLOCKS; n++) {
      blocks.add(source.block(n));
    }
    answer = Response.BlocksRange.of(blocks).encode();
  }

  /** One answer, from its bytes to its blocks. */
  @Benchmark
  public Response decode() throws Exception {
    return Response.decode(answer);
  }
}
