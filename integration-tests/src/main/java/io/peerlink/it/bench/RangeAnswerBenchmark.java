package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.node.master.ChainOptions;
import io.peerlink.node.master.ChainState;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.OutgoingFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The serving side of catch-up alone: one {@code get_blocks_range} answer of a node-app master
 * (ChainState read from its store, the responder's caps, the answer's bytes), without sockets or a
 * client. {@code blocks=100kb} answers 80 blocks of 100 KB, {@code blocks=small} 1,000 blocks of
 * about 100 bytes. {@code state=chain} is the master as it serves; {@code state=decoding} wraps it
 * in a MasterState that knows blocks only decoded (an embedder's, which the responder encodes).
 *
 * <p>{@link #answer} reads the answer into one array, as a transport without file ranges does
 * ({@code Connection.send(OutgoingFrame)}'s default); {@link #frame} only lays it out as the
 * frame a transport that sends file ranges from the kernel (tcp's {@code sendfile}) takes, and
 * closes it: no block's bytes are read, so what is left is the serving peer's CPU before the
 * kernel's copies.
 * Run it with JMH's main, e.g. {@code java -cp ... org.openjdk.jmh.Main RangeAnswerBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RangeAnswerBenchmark {

  @Param({"100kb", "small"})
  public String blocks;

  @Param({"chain", "decoding"})
  public String state;

  private Path storage;
  private ChainState chain;
  private FrameHandler handler;
  private FrameHandler frameHandler;
  private byte[] request;
  private final LastFrame connection = new LastFrame(false);
  private final LastFrame framing = new LastFrame(true);

  @Setup(Level.Trial)
  public void fill() throws Exception {
    QuietLogs.apply();
    boolean large = blocks.equals("100kb");
    int count = large ? 80 : 1_000;
    SyncChain source = new SyncChain(large ? 100 * 1024 : 0);
    storage = Files.createTempDirectory(Path.of("/tmp"), "plrange");
    chain = ChainState.open(storage, ChainOptions.configured(ChainOptions.KEEP_ALL, Duration.ofSeconds(5)));
    List<BlockData> batch = new ArrayList<>();
    for (long n = 1; n <= count; n++) {
      batch.add(source.block(n));
      if (batch.size() == 40 || n == count) {
        SyncBlocksResult r = chain.syncBlocks(batch);
        if (!r.error().isEmpty()) {
          throw new IllegalStateException("the benchmark's chain was refused: " + r.error());
        }
        batch.clear();
      }
    }
    MasterState served = state.equals("chain") ? chain : decodingOnly(chain);
    handler = Responder.readOnly(served).onConnect(connection);
    frameHandler = Responder.readOnly(served).onConnect(framing);
    request = new Request.GetBlocksRange(1, count).encode();
    handler.onFrame(connection, request);
    frameHandler.onFrame(framing, request);
    for (int answered : new int[] {connection.last.length, framing.lastLength}) {
      if (answered < count * (large ? 100 * 1024 : 50)) {
        throw new IllegalStateException("the answer is " + answered + " bytes: not every block fits one answer");
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    chain.close();
    try (Stream<Path> files = Files.walk(storage)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** One answer, from the request's bytes to the answer's. */
  @Benchmark
  public byte[] answer() throws Exception {
    handler.onFrame(connection, request);
    return connection.last;
  }

  /** One answer laid out as a frame and closed, as a transport that sends file ranges takes it. */
  @Benchmark
  public int frame() throws Exception {
    frameHandler.onFrame(framing, request);
    return framing.lastLength;
  }

  /** The master's reads only: what an embedder's MasterState without stored bytes offers. */
  private static MasterState decodingOnly(ChainState chain) {
    return new MasterState() {
      @Override
      public long currentEpoch() {
        return chain.currentEpoch();
      }

      @Override
      public long lastBlockNumber() {
        return chain.lastBlockNumber();
      }

      @Override
      public long epochStartTimestampMs() {
        return chain.epochStartTimestampMs();
      }

      @Override
      public List<BlockData> blocksRange(long fromBlock, long toBlock) throws Exception {
        return chain.blocksRange(fromBlock, toBlock);
      }

      @Override
      public AdvanceEpochResult advanceEpoch(long newEpoch, long startMs, long boundaryBlock) {
        throw new UnsupportedOperationException("the benchmark only reads");
      }

      @Override
      public SyncBlocksResult syncBlocks(List<BlockData> blocks) {
        throw new UnsupportedOperationException("the benchmark only reads");
      }
    };
  }

  /**
   * A connection that keeps the last frame sent: the answer, returned to JMH so it is not optimised
   * away. With {@code takesFrames}, a frame is kept by its length and closed, as a transport that
   * sends it from the kernel would after sending; else it is read into one array (the default).
   */
  private static final class LastFrame extends AbstractConnection {
    private final boolean takesFrames;
    volatile byte[] last;
    volatile int lastLength;

    LastFrame(boolean takesFrames) {
      super(Endpoint.tcp("127.0.0.1", 1), ConnectOptions.DEFAULT_MAX_FRAME_LENGTH, ListenerCounters.none(), null);
      this.takesFrames = takesFrames;
    }

    @Override
    public CompletableFuture<Void> send(OutgoingFrame frame) {
      if (!takesFrames) {
        return super.send(frame);
      }
      try (frame) {
        lastLength = frame.length();
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> send(byte[] frame) {
      last = frame;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    protected void closeIo() {
    }
  }
}
