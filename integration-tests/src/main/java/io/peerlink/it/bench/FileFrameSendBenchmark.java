package io.peerlink.it.bench;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * A range answer sent from a file over loopback tcp (issue 15): 80 stored blocks of 100 KB, each
 * after a small byte piece, as a {@code get_blocks_range} answer is laid out from a segment file
 * (8,000,969 bytes). {@code send=array} reads the frame into one array and sends that (what a
 * peer did before file ranges: the read, the JVM's zeroing, tcp's copy into its pieces);
 * {@code send=fileRanges} hands the transport the {@link OutgoingFrame}, whose ranges tcp sends
 * with {@code sendfile}. The file is in the page cache (just written). Set up as
 * {@link LargeFrameSendBenchmark}; run e.g. {@code java -cp ... org.openjdk.jmh.Main
 * FileFrameSendBenchmark -prof gc} ({@code cpuMicros / answers} = CPU per answer).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FileFrameSendBenchmark {

  static final int BLOCKS = 80;
  static final int BLOCK_BYTES = 100_000;
  static final int RECORD_HEADER = 16; // bytes stored before each block in the file
  static final int BETWEEN = 12; // bytes of the answer before each block (its length and such)
  static final int ANSWER_HEAD = 9;
  static final int ANSWER_BYTES = ANSWER_HEAD + BLOCKS * (BETWEEN + BLOCK_BYTES);

  @Param({"array", "fileRanges"})
  public String send;

  private Path dir;
  private FileChannel segment;
  private final byte[] head = new byte[ANSWER_HEAD];
  private final byte[][] between = new byte[BLOCKS][BETWEEN];
  private LoopbackAnswers answers;

  @Setup(Level.Trial)
  public void start() throws IOException {
    Random random = new Random(15);
    dir = Files.createTempDirectory("peerlink-bench-sendfile");
    Path file = dir.resolve("segment");
    ByteBuffer stored = ByteBuffer.allocate(BLOCKS * (RECORD_HEADER + BLOCK_BYTES));
    random.nextBytes(stored.array());
    Files.write(file, stored.array());
    segment = FileChannel.open(file, StandardOpenOption.READ);
    random.nextBytes(head);
    for (byte[] b : between) {
      random.nextBytes(b);
    }
    boolean fromFile = switch (send) {
      case "array" -> false;
      case "fileRanges" -> true;
      default -> throw new IllegalArgumentException("send=" + send + ": expected array or fileRanges");
    };
    answers = new LoopbackAnswers((conn, request) -> answer(conn, fromFile), ANSWER_BYTES);
  }

  private void answer(Connection conn, boolean fromFile) {
    OutgoingFrame.Builder b = OutgoingFrame.builder().bytes(head, 0, head.length);
    for (int i = 0; i < BLOCKS; i++) {
      b.bytes(between[i], 0, BETWEEN).file(segment, (long) i * (RECORD_HEADER + BLOCK_BYTES) + RECORD_HEADER,
          BLOCK_BYTES);
    }
    OutgoingFrame frame = b.build();
    if (fromFile) {
      conn.send(frame);
      return;
    }
    try (frame) {
      conn.send(frame.toArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    answers.close();
    segment.close();
    Files.deleteIfExists(dir.resolve("segment"));
    Files.deleteIfExists(dir);
  }

  /** One request, one answer of {@link #ANSWER_BYTES}, read whole; {@link ProcessCpu} counts its CPU. */
  @Benchmark
  public int answer(ProcessCpu cpu) throws IOException {
    return answers.ask(cpu);
  }
}
