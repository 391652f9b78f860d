package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.AnswerLimits;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.node.TestNodes;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.FrameHandler;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master answers get_blocks_range from its stored bytes, without decoding a block, and the
 * answer is byte for byte what decoding each block and encoding the answer gave: for small blocks,
 * 100 KB blocks, blocks with unknown fields written out of number order, every cap that cuts a
 * range (the chain's blocks and bytes per range, the responder's 8 MiB) and the refusals.
 */
class StoredRangeAnswerTest {
  @TempDir Path storage;
  @TempDir Path prunedStorage;

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  /** Blocks 2..last, synced onto block 1: small, 100 KB and unknown-field blocks in turn. */
  private ChainState chain(Path path, ChainOptions options, int last) throws Exception {
    ChainState state = chains.track(ChainState.open(path, options, clock::get));
    MixedBlocks.extend(state, last, clock.get());
    return state;
  }

  @Test
  void storedBytesAnswerExactlyAsDecodedBlocksDid() throws Exception {
    ChainState state = chain(storage, TestNodes.chainOptions(ChainOptions.KEEP_ALL, 32, 1024, 1024, 1L << 30), 300);
    long[][] ranges = {{1, 300}, {0, 5}, {3, 3}, {298, -1}, {4, 4}, {5, 5}, {200, 300}, {301, 310}, {-5, -1}, {7, 2}};
    for (long[] r : ranges) {
      assertSameAnswer(state, r[0], r[1]);
    }
    byte[] all = answer(state, 1, 300);
    int blocks = ((Response.BlocksRange) Response.decode(all)).blocks().size();
    assertTrue(blocks > 1 && blocks < 300, "the responder's " + AnswerLimits.MAX_RANGE_RESPONSE_BYTES
        + "-byte cap cuts 300 blocks, a third of them 100 KB, at " + blocks);
  }

  @Test
  void theChainsCapsCutTheRangeAsBefore() throws Exception {
    ChainState byCount = chain(storage, TestNodes.chainOptions(ChainOptions.KEEP_ALL, 32, 1024, 7, 1L << 30), 40);
    assertSameAnswer(byCount, 1, 40);
    assertEquals(7, ((Response.BlocksRange) Response.decode(answer(byCount, 1, 40))).count());
    byCount.close();
    ChainState byBytes = chain(prunedStorage, TestNodes.chainOptions(ChainOptions.KEEP_ALL, 32, 1024, 1024, 250_000),
        40);
    assertSameAnswer(byBytes, 2, 40);
    assertSameAnswer(byBytes, 4, 4); // one block over maxRangeBytes is still answered
  }

  @Test
  void aPrunedRangeIsRefusedAsBefore() throws Exception {
    ChainState state = chain(prunedStorage, TestNodes.chainOptions(20, 8, 1024, 1024, 1L << 30), 60);
    Response refused = Response.decode(answer(state, 1, 10));
    assertInstanceOf(Response.Error.class, refused);
    assertTrue(((Response.Error) refused).message().contains("were pruned"), refused.toString());
    assertSameAnswer(state, 1, 10);
    assertSameAnswer(state, 55, 60);
  }

  /**
   * The answer written from stored bytes, the one written from a state that only decodes
   * (MasterState's default) and the one the code before this change built all match.
   */
  private void assertSameAnswer(ChainState state, long from, long to) throws Exception {
    byte[] stored = answer(state, from, to);
    String range = from + ".." + to;
    assertArrayEquals(decodedThenEncoded(state, from, to), stored, "stored bytes, " + range);
    assertArrayEquals(answer(decodingOnly(state), from, to), stored, "MasterState's default, " + range);
  }

  /** What a responder sends on a connection for get_blocks_range(from, to). */
  private static byte[] answer(MasterState state, long from, long to) throws Exception {
    CapturingConnection connection = new CapturingConnection();
    FrameHandler handler = Responder.readOnly(state).onConnect(connection);
    handler.onFrame(connection, new Request.GetBlocksRange(from, to).encode());
    return connection.sent.get(0);
  }

  /** The answer as this master built it before it served stored bytes: decode, cap, encode. */
  private static byte[] decodedThenEncoded(ChainState state, long from, long to) {
    if (Long.compareUnsigned(from, to) > 0) {
      return new Response.BlocksRange(List.of(), 0, "from_block " + Long.toUnsignedString(from)
          + " is after to_block " + Long.toUnsignedString(to)).encode();
    }
    List<BlockData> all;
    try {
      all = state.blocksRange(from, to);
    } catch (Exception e) {
      return new Response.Error(e.getMessage()).encode();
    }
    List<BlockData> answer = new ArrayList<>();
    long bytes = 0;
    for (BlockData b : all) {
      long size = b.encodedSize() + 6L;
      if (answer.size() == AnswerLimits.MAX_BLOCKS_PER_RANGE
          || !answer.isEmpty() && bytes + size > AnswerLimits.MAX_RANGE_RESPONSE_BYTES) {
        break;
      }
      answer.add(b);
      bytes += size;
    }
    return Response.BlocksRange.of(answer).encode();
  }

  /**
   * A master that knows blocks only decoded: every call goes to {@code state} but encodedBlocks,
   * which keeps MasterState's default (it encodes blocksRange's blocks).
   */
  private static MasterState decodingOnly(ChainState state) {
    InvocationHandler calls = (proxy, method, args) -> {
      if (method.getName().equals("encodedBlocks")) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      try {
        return method.invoke(state, args);
      } catch (InvocationTargetException e) {
        throw e.getCause(); // the refusal itself, as the responder would see it from the state
      }
    };
    return (MasterState) Proxy.newProxyInstance(MasterState.class.getClassLoader(),
        new Class<?>[] {MasterState.class}, calls);
  }

  /** A connection that keeps the frames sent on it. */
  private static final class CapturingConnection extends AbstractConnection {
    final List<byte[]> sent = new ArrayList<>();

    CapturingConnection() {
      super(Endpoint.tcp("127.0.0.1", 1), ConnectOptions.DEFAULT_MAX_FRAME_LENGTH, ListenerCounters.none(), null);
    }

    @Override
    public CompletableFuture<Void> send(byte[] frame) {
      sent.add(frame);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    protected void closeIo() {
    }
  }
}
