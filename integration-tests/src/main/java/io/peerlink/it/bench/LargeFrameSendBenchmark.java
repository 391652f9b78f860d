package io.peerlink.it.bench;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.TransportRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

  private TransportRegistry serverSide;
  private Socket client;
  private OutputStream out;
  private DataInputStream in;
  private byte[] received;

  @Setup(Level.Trial)
  public void start() throws IOException {
    QuietLogs.apply();
    byte[] answer = new byte[frameBytes];
    new Random(15).nextBytes(answer);
    serverSide = TransportRegistry.installed();
    Endpoint endpoint = Endpoint.tcp("127.0.0.1", 0);
    Listener listener = serverSide.transportFor(endpoint).listen(endpoint,
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), c -> (conn, frame) -> conn.send(answer));
    client = new Socket();
    client.connect(new InetSocketAddress("127.0.0.1", listener.endpoint().port()));
    client.setTcpNoDelay(true);
    out = client.getOutputStream();
    in = new DataInputStream(client.getInputStream());
    received = new byte[frameBytes];
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    client.close();
    serverSide.close();
  }

  /**
   * The process's CPU time (all threads: the sender's event loop, the reader, GC, JIT) over an
   * iteration and the answers in it: {@code cpuMicros / answers} is the CPU an answer costs, which
   * other processes on the machine disturb less than the time does. The reader's share is the
   * same whatever the sender does.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Cpu {
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public long cpuMicros;
    public long answers;
    private long last;

    @Setup(Level.Iteration)
    public void begin() {
      cpuMicros = 0;
      answers = 0;
      last = OS.getProcessCpuTime();
    }

    void answered() {
      long now = OS.getProcessCpuTime();
      cpuMicros += (now - last) / 1000;
      last = now;
      answers++;
    }
  }

  /** One request, one answer of {@code frameBytes}, read whole. */
  @Benchmark
  public int answer(Cpu cpu) throws IOException {
    out.write(new byte[] {0, 0, 0, 1, 7});
    int length = in.readInt();
    if (length != frameBytes) {
      throw new IllegalStateException("an answer of " + length + " bytes, not " + frameBytes);
    }
    in.readFully(received);
    cpu.answered();
    return received[length - 1];
  }
}
