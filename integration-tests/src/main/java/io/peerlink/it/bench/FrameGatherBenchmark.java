package io.peerlink.it.bench;

import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.support.FrameDecoder;
import java.nio.ByteBuffer;
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
 * Gathering one 8 MiB frame (a full {@code get_blocks_range} answer) through {@link FrameDecoder}
 * from reads of 64 KiB, as a connection's reader receives it, without sockets. With {@code -prof
 * gc} it shows what gathering costs the heap besides the frame itself (issue 15: growing one
 * array by doubling copied the frame again and zeroed twice its size). Run it with JMH's main,
 * e.g. {@code java -cp peerlink-bench.jar org.openjdk.jmh.Main FrameGatherBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FrameGatherBenchmark {
  private static final int FRAME = 8 * 1024 * 1024;
  private static final int READ = 64 * 1024;

  private byte[] wire;
  private ByteBuffer in;

  @Setup(Level.Trial)
  public void encode() {
    byte[] payload = new byte[FRAME];
    new java.util.Random(1).nextBytes(payload);
    wire = FrameFormat.UVARINT.encode(payload);
    in = ByteBuffer.allocate(READ);
  }

  /** One frame, from its wire bytes in reads of 64 KiB to its payload array. */
  @Benchmark
  public byte[] gather() throws Exception {
    FrameDecoder decoder = new FrameDecoder(FrameFormat.UVARINT, FRAME);
    in.clear();
    byte[] frame = null;
    for (int pos = 0; pos < wire.length; ) {
      int n = Math.min(in.remaining(), wire.length - pos);
      in.put(wire, pos, n);
      pos += n;
      in.flip();
      byte[] out = decoder.next(in);
      if (out != null) {
        frame = out;
      }
      in.compact();
    }
    return frame;
  }
}
