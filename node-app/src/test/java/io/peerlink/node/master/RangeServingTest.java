package io.peerlink.node.master;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.node.TestNodes;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A master serving get_blocks_range over a real connection (Unix socket, loopback tcp, which
 * sends file ranges from the kernel once it can) from its segment files:
 * the answer decodes to the stored blocks; one built from a segment that retention deletes
 * before it is sent (it waits behind a wait_for_sync_to_block) still sends the bytes it was built
 * from; and no descriptor outlives its answer, whether it was sent or its connection closed first.
 */
class RangeServingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path dir = TestNodes.tempDir(); // short: a Unix socket lives there
  private final Path storage = dir.resolve("store");
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final TransportRegistry transports = TransportRegistry.installed();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** Released once per range answer laid out (when the responder closes the store's range). */
  private final Semaphore built = new Semaphore(0);

  RangeServingTest() throws IOException {
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close(); // clients, the listener, then the chain (idempotent)
    }
    transports.close();
    TestNodes.deleteTree(dir);
  }

  /** Blocks 1..last (a third of them 100 KB) in segments of 8, keeping the newest {@code retention}. */
  private ChainState chain(long retention, int last) throws Exception {
    ChainState state = ChainState.open(storage, TestNodes.chainOptions(retention, 8, 1024, 1024, 1L << 30), clock::get);
    toClose.add(state);
    MixedBlocks.extend(state, last, clock.get());
    return state;
  }

  /** Serves {@code state} read-only, as a master's peer port: on a Unix socket, or tcp on loopback. */
  private Endpoint serve(ChainState state, String scheme) throws Exception {
    Endpoint at = scheme.equals(Endpoint.UNIX) ? Endpoint.unix(dir.resolve("q.sock")) : Endpoint.tcp("127.0.0.1", 0);
    Listener listener = transports.transportFor(at).listen(at, ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN),
        Responder.readOnly(signalling(state)));
    toClose.add(listener);
    return listener.endpoint();
  }

  private RequestClient client(Endpoint at) throws Exception {
    RequestClient c = RequestClient.connect(transports.transportFor(at), at, ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN))
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    toClose.add(c);
    return c;
  }

  private static byte[] get(CompletableFuture<byte[]> answer) throws Exception {
    return answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static byte[] range(long from, long to) {
    return new Request.GetBlocksRange(from, to).encode();
  }

  private static byte[] waitFor(long block, Duration timeout) {
    return new Request.WaitForSyncToBlock(block, timeout.toSeconds()).encode();
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix", "tcp"})
  void aRangeServedOverAConnectionDecodesToTheStoredBlocks(String scheme) throws Exception {
    ChainState state = chain(ChainOptions.KEEP_ALL, 40);
    RequestClient client = client(serve(state, scheme));
    for (long[] r : new long[][] {{1, 40}, {4, 4}, {9, 12}}) {
      byte[] answer = get(client.call(range(r[0], r[1]), TIMEOUT));
      List<BlockData> stored = state.blocksRange(r[0], r[1]);
      Response.BlocksRange decoded = assertInstanceOf(Response.BlocksRange.class, Response.decode(answer));
      assertEquals(stored.size(), decoded.blocks().size());
      for (int i = 0; i < stored.size(); i++) {
        assertArrayEquals(stored.get(i).encode(), decoded.blocks().get(i).encode(), "block " + (r[0] + i));
      }
      assertArrayEquals(Response.BlocksRange.of(stored).encode(), answer, r[0] + ".." + r[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix", "tcp"})
  void anAnswerWhoseSegmentIsPrunedBeforeItIsSentSendsTheBytesItWasBuiltFrom(String scheme) throws Exception {
    ChainState state = chain(16, 40);
    long first = state.firstRetainedBlock();
    long to = first + 7;
    byte[] expected = Response.BlocksRange.of(state.blocksRange(first, to)).encode();
    RequestClient client = client(serve(state, scheme));

    CompletableFuture<byte[]> waiting = client.call(waitFor(101, TIMEOUT), TIMEOUT);
    CompletableFuture<byte[]> answer = client.call(range(first, to), TIMEOUT);
    assertTrue(built.tryAcquire(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the range answer is laid out");
    assertFalse(answer.isDone(), "and waits behind wait_for_sync_to_block");

    MixedBlocks.extend(state, 100, clock.get()); // retention deletes the segments it was built from
    assertTrue(state.firstRetainedBlock() > to, "pruned below " + state.firstRetainedBlock());
    assertTrue(storageFilesOpen().stream().anyMatch(f -> f.endsWith("(deleted)")),
        "the unsent answer holds a deleted segment open: " + storageFilesOpen());

    assertFalse(answer.isDone());

    MixedBlocks.extend(state, 101, clock.get()); // the wait ends: the answers go out
    assertInstanceOf(Response.WaitForSyncToBlockResult.class, Response.decode(get(waiting)));
    assertArrayEquals(expected, get(answer), "the bytes of the pruned segment, as they were stored");
    await("the sent answer lets go of the deleted segment").atMost(TIMEOUT).pollInterval(Duration.ofMillis(10))
        .until(() -> storageFilesOpen().stream().noneMatch(f -> f.endsWith("(deleted)")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix", "tcp"})
  void noDescriptorOutlivesItsAnswerSentOrNot(String scheme) throws Exception {
    ChainState state = chain(16, 40);
    Endpoint at = serve(state, scheme);
    long first = state.firstRetainedBlock();
    get(client(at).call(range(first, first + 20), TIMEOUT)); // the transport's threads and buffers, once
    int before = descriptors().size(); // with the warm-up's connection, both ends, still open
    closeClients();

    for (int i = 0; i < 20; i++) {
      RequestClient answered = client(at);
      assertEquals(41 - first, Response.BlocksRange.class.cast(Response.decode(
          get(answered.call(range(first, 40), TIMEOUT)))).blocks().size());
      RequestClient gone = client(at);
      // Never reached, nor timed out within the test: only the connection's close lets go of the answers after it.
      gone.call(waitFor(1_000_000, Duration.ofHours(1)), TIMEOUT);
      for (int k = 0; k < 3; k++) {
        gone.call(range(first + k, 40), TIMEOUT);
      }
      assertTrue(built.tryAcquire(4, TIMEOUT.toSeconds(), TimeUnit.SECONDS), "four range answers laid out");
      closeClients(); // the three queued answers are never sent
    }
    await("every connection's descriptors are closed: " + before + " before").atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(20)).until(() -> descriptors().size() < before);

    MixedBlocks.extend(state, 100, clock.get()); // retention closes and deletes the segments served
    assertTrue(state.firstRetainedBlock() > 40);
    await("no answer holds a deleted segment open").atMost(TIMEOUT).pollInterval(Duration.ofMillis(10))
        .until(() -> storageFilesOpen().stream().noneMatch(f -> f.endsWith("(deleted)")));
    state.close();
    assertEquals(List.of(), storageFilesOpen(), "nothing of the store stays open once it is closed");
  }

  private void closeClients() throws Exception {
    for (AutoCloseable c : toClose) {
      if (c instanceof RequestClient) {
        c.close();
      }
    }
    toClose.removeIf(c -> c instanceof RequestClient);
  }

  /** The targets of this process's open descriptors. */
  private static List<String> descriptors() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          out.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException gone) {
          // the listing's own descriptor, closed by now
        }
      }
    }
    return out;
  }

  /** The store's files this process holds open. */
  private List<String> storageFilesOpen() throws IOException {
    return descriptors().stream().filter(f -> f.startsWith(storage.toString())).toList();
  }

  /**
   * {@code state} as the responder sees it, releasing {@link #built} each time it closes the
   * store's range of an answer: the answer's frame is laid out by then, holding its segments.
   */
  private MasterState signalling(ChainState state) {
    InvocationHandler calls = (proxy, method, args) -> {
      Object result = call(state, method, args);
      if (!method.getName().equals("encodedBlocks")) {
        return result;
      }
      EncodedBlocks blocks = (EncodedBlocks) result;
      return Proxy.newProxyInstance(EncodedBlocks.class.getClassLoader(), new Class<?>[] {EncodedBlocks.class},
          (p, m, a) -> {
            Object r = call(blocks, m, a);
            if (m.getName().equals("close")) {
              built.release();
            }
            return r;
          });
    };
    return (MasterState) Proxy.newProxyInstance(MasterState.class.getClassLoader(),
        new Class<?>[] {MasterState.class}, calls);
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause(); // a refusal, as the responder would see it from the state
    }
  }
}
