package io.peerlink.transport.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.BlockingConnection;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every transport passes, run unchanged by each transport module through three
 * hooks. Modelled on grpc-java's {@code AbstractTransportTest} and Netty's testsuite.
 *
 * <p>Every wait has a deadline; nothing sleeps to pass.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class AbstractTransportTest {

  /** Deadline for single operations in this kit. */
  protected static final Duration WAIT = Duration.ofSeconds(20);

  /** A new instance of the provider under test. */
  protected abstract TransportProvider newProvider();

  /**
   * A fresh endpoint to listen on: e.g. {@code tcp://127.0.0.1:0} or a socket path in {@code dir}.
   *
   * @param dir a short, empty temporary directory owned by the test
   */
  protected abstract Endpoint newListenEndpoint(Path dir);

  /** An endpoint where nothing listens, for the connect-failure test. */
  protected abstract Endpoint deadEndpoint(Path dir);

  /**
   * How the kit's clients connect; override to add settings the endpoints need (TLS).
   */
  protected ConnectOptions connectOptions(FrameFormat format) {
    return ConnectOptions.of(format);
  }

  /** How the kit's listeners listen; override to add settings the endpoints need (TLS). */
  protected ListenOptions listenOptions(FrameFormat format) {
    return ListenOptions.of(format);
  }

  /** Thread names that belong to the JDK or the test harness, not to the transport. */
  protected boolean isForeignThread(String name) {
    return name.startsWith("ForkJoinPool") || name.startsWith("CompletableFutureDelayScheduler")
        || name.startsWith("process reaper") || name.startsWith("Attach Listener")
        || name.startsWith("surefire") || name.startsWith("junit") || name.startsWith("Common-Cleaner");
  }

  protected Path dir;
  protected Transport transport;

  @BeforeEach
  void setUpTransport() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "plk");
    transport = newProvider().create();
  }

  @AfterEach
  void tearDownTransport() throws IOException {
    if (transport != null) {
      transport.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---- helpers ----

  /** Listens with an echo handler: every frame is sent back as it came. */
  protected Listener echoListener(ListenOptions options) throws TransportException {
    return transport.listen(newListenEndpoint(dir), options, c -> (conn, frame) -> conn.send(frame));
  }

  protected static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }

  protected static Throwable awaitFailure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    return fail("expected a failure, got success");
  }

  protected static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // poll the condition, not a sleep to pass
    }
  }

  /** A frame handler that queues what arrives and records how the connection closed. */
  protected static final class Inbox implements FrameHandler {
    final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();

    @Override
    public void onFrame(Connection connection, byte[] frame) {
      frames.add(frame);
    }

    @Override
    public void onClose(Connection connection, Throwable cause) {
      closed.complete(cause);
    }

    byte[] next() throws InterruptedException {
      byte[] f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(f, "no frame within " + WAIT);
      return f;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] intFrame(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  /** {@code length} bytes that differ from one position to the next, so a misplaced byte shows. */
  private static byte[] patterned(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + (i >>> 8));
    }
    return b;
  }

  private static TransportException assertKind(TransportException.Kind kind, Throwable failure) {
    TransportException te = assertInstanceOf(TransportException.class, failure);
    assertEquals(kind, te.kind(), "kind of " + te);
    return te;
  }

  /** Deadline for a test's whole load loop. */
  protected static final Duration LOAD_WAIT = Duration.ofMinutes(2);

  /** A thread a test started, and how its work ended. */
  protected record Worker<T>(Thread thread, CompletableFuture<T> outcome) {
  }

  /** Runs {@code body} on a new daemon thread; the outcome completes with what it returned or threw. */
  protected static <T> Worker<T> startWorker(String name, Callable<T> body) {
    CompletableFuture<T> outcome = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        outcome.complete(body.call());
      } catch (Throwable e) {
        outcome.completeExceptionally(e);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return new Worker<>(thread, outcome);
  }

  /**
   * Receives one frame within {@link #WAIT}: past it a watchdog closes the connection, and the test
   * fails saying so (not with the CLOSED that the close makes receive throw).
   */
  protected static byte[] receiveWithin(BlockingConnection connection) throws TransportException {
    Watchdog watchdog = Watchdog.arm(WAIT, "closed " + connection, connection::close);
    byte[] frame;
    try {
      frame = connection.receive();
    } catch (TransportException e) {
      watchdog.close(); // throws instead when it fired: that is the failure to report
      throw e;
    }
    watchdog.close();
    return frame;
  }

  // ---- the contract ----

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void connectSendReceiveClose(FrameFormat format) throws Exception {
    Inbox serverSide = new Inbox();
    AtomicReference<Connection> accepted = new AtomicReference<>();
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(format), c -> {
      accepted.set(c);
      return (conn, frame) -> {
        serverSide.onFrame(conn, frame);
        conn.send(frame);
      };
    });
    Inbox clientSide = new Inbox();
    Connection client = await(transport.connect(listener.endpoint(), connectOptions(format), clientSide));
    assertTrue(client.isOpen());
    assertEquals(listener.endpoint(), client.remote());

    for (String s : List.of("hello", "", "a longer frame with more than 127 bytes ".repeat(5))) {
      await(client.send(bytes(s)));
      assertArrayEquals(bytes(s), serverSide.next(), "server got what the client sent");
      assertArrayEquals(bytes(s), clientSide.next(), "client got the echo");
    }
    client.close();
    assertFalse(client.isOpen());
    await(client.closeFuture());
    waitUntil("the server side sees the close", () -> accepted.get() != null && !accepted.get().isOpen());
    Throwable sendAfterClose = awaitFailure(client.send(bytes("late")));
    assertInstanceOf(TransportException.class, sendAfterClose);
    assertEquals(TransportException.Kind.CLOSED, ((TransportException) sendAfterClose).kind());
    listener.close();
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void frameOfMaximumLengthPassesOneMoreIsRefused(FrameFormat format) throws Exception {
    int max = 70_000; // a varint header of 3 bytes; larger than one socket read
    CompletableFuture<Throwable> serverClose = new CompletableFuture<>();
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(format).withMaxFrameLength(max),
        c -> new FrameHandler() {
          @Override
          public void onFrame(Connection conn, byte[] frame) {
            conn.send(frame);
          }

          @Override
          public void onClose(Connection conn, Throwable cause) {
            serverClose.complete(cause);
          }
        });
    // The client allows more than the server, so the server is the one that must refuse.
    Inbox inbox = new Inbox();
    Connection client = await(transport.connect(listener.endpoint(),
        connectOptions(format).withMaxFrameLength(max + 1), inbox));
    byte[] exact = new byte[max];
    exact[0] = 1;
    exact[max - 1] = 2;
    await(client.send(exact));
    assertArrayEquals(exact, inbox.next(), "a frame of exactly the maximum length passes");

    client.send(new byte[max + 1]);
    Throwable cause = serverClose.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertInstanceOf(TransportException.class, cause, "the server closes with a transport error");
    assertEquals(TransportException.Kind.BAD_FRAME, ((TransportException) cause).kind());
    assertTrue(cause.getMessage().contains(Integer.toString(max)), "the error names the maximum: " + cause.getMessage());
    await(client.closeFuture());

    // Sending side: a frame over the connection's own maximum is refused before it is written.
    Connection strict = await(transport.connect(listener.endpoint(), connectOptions(format).withMaxFrameLength(max),
        new Inbox()));
    Throwable refused = awaitFailure(strict.send(new byte[max + 1]));
    assertInstanceOf(TransportException.class, refused);
    assertEquals(TransportException.Kind.BAD_FRAME, ((TransportException) refused).kind());
    listener.close();
  }

  @Test
  void throwingHandlerClosesOnlyItsConnection() throws Exception {
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN), c -> {
      if (c.remote() == null) {
        throw new IllegalStateException("never");
      }
      return (conn, frame) -> {
        if (new String(frame, StandardCharsets.UTF_8).equals("boom")) {
          throw new IllegalStateException("handler failure on purpose");
        }
        conn.send(frame);
      };
    });
    Connection bad = await(transport.connect(listener.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN), new Inbox()));
    bad.send(bytes("boom"));
    await(bad.closeFuture());

    Inbox inbox = new Inbox();
    Connection good = await(transport.connect(listener.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN), inbox));
    good.send(bytes("still here"));
    assertArrayEquals(bytes("still here"), inbox.next(), "the listener survived the throwing handler");
    good.close();
    listener.close();
  }

  @Test
  void throwingConnectionHandlerRefusesOnlyThatConnection() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    ConnectionHandler handler = c -> {
      if (seen.incrementAndGet() == 1) {
        throw new IllegalStateException("refused on purpose");
      }
      return (conn, frame) -> conn.send(frame);
    };
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN), handler);
    CompletableFuture<Connection> first = transport.connect(listener.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN), new Inbox());
    try {
      Connection c = await(first);
      await(c.closeFuture()); // a socket transport connects, then sees the close
    } catch (TransportException expected) {
      // an in-process transport may refuse the connect itself
    }
    Inbox inbox = new Inbox();
    Connection second = await(transport.connect(listener.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN), inbox));
    second.send(bytes("ok"));
    assertArrayEquals(bytes("ok"), inbox.next());
    listener.close();
  }

  @Test
  void hundredConcurrentConnections() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    // 100 clients from one address: above the default per-address cap (64) of socket listeners.
    ListenOptions options = listenOptions(FrameFormat.UINT32_BIG_ENDIAN)
        .withLimits(listenOptions(FrameFormat.UINT32_BIG_ENDIAN).limits().withMaxConnections(1024, 1024));
    Listener listener = transport.listen(newListenEndpoint(dir), options, c -> {
      accepted.incrementAndGet();
      return (conn, frame) -> conn.send(frame);
    });
    int n = 100;
    List<CompletableFuture<RequestClient>> connecting = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      connecting.add(RequestClient.connect(transport, listener.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    }
    List<RequestClient> clients = new ArrayList<>();
    for (CompletableFuture<RequestClient> f : connecting) {
      clients.add(await(f));
    }
    List<CompletableFuture<byte[]>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      answers.add(clients.get(i).call(intFrame(i), WAIT));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(i, ByteBuffer.wrap(await(answers.get(i))).getInt(), "client " + i + " got its own answer");
    }
    assertEquals(n, accepted.get());
    for (RequestClient c : clients) {
      c.close();
    }
    listener.close();
  }

  @Test
  void twoThousandSequentialConnectRequestCloseCycles() throws Exception {
    Listener listener = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    int cycles = 2_000;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < cycles && System.nanoTime() < deadline; i++) {
      try (RequestClient client = await(RequestClient.connect(transport, listener.endpoint(),
          connectOptions(FrameFormat.UINT32_BIG_ENDIAN)))) {
        byte[] answer = await(client.call(intFrame(i), WAIT));
        if (ByteBuffer.wrap(answer).getInt() != i) {
          failures.add("cycle " + i + ": wrong answer");
        }
      } catch (Exception e) {
        failures.add("cycle " + i + ": " + e);
      }
      if (failures.size() > 10) {
        break;
      }
    }
    assertEquals(List.of(), failures, "every cycle succeeds");
    assertTrue(System.nanoTime() < deadline, "2,000 cycles finish within 3 minutes");
    listener.close();
  }

  @Test
  void thousandPipelinedRequestsAnsweredInOrder() throws Exception {
    Listener listener = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    RequestClient client = await(RequestClient.connect(transport, listener.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    int n = 1_000;
    List<CompletableFuture<byte[]>> answers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      answers.add(client.call(intFrame(i), WAIT));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(i, ByteBuffer.wrap(await(answers.get(i))).getInt(), "answer " + i + " in order");
    }
    assertEquals(0, client.inFlight());
    client.close();
    listener.close();
  }

  @Test
  void connectingToNothingFailsClearlyWithinTheConnectTimeout() throws Exception {
    Endpoint dead = deadEndpoint(dir);
    Duration timeout = Duration.ofSeconds(2);
    long start = System.nanoTime();
    Throwable failure = awaitFailure(transport.connect(dead,
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN).withConnectTimeout(timeout), new Inbox()));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(TransportException.class, failure);
    TransportException te = (TransportException) failure;
    assertTrue(Set.of(TransportException.Kind.REFUSED, TransportException.Kind.TIMED_OUT).contains(te.kind()),
        "refused or timed out, got " + te.kind());
    assertTrue(te.getMessage().contains(dead.toString()), "the error names the endpoint: " + te.getMessage());
    assertTrue(elapsedMs < timeout.toMillis() + 3_000, "failed within the connect timeout, took " + elapsedMs + " ms");
  }

  @Test
  void requestTimesOutAndClosesTheConnection() throws Exception {
    Listener silent = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
        c -> (conn, frame) -> { });
    RequestClient client = await(RequestClient.connect(transport, silent.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    CompletableFuture<byte[]> first = client.call(bytes("one"), Duration.ofMillis(200));
    CompletableFuture<byte[]> second = client.call(bytes("two"), WAIT);
    Throwable timedOut = awaitFailure(first);
    assertInstanceOf(TransportException.class, timedOut);
    assertEquals(TransportException.Kind.TIMED_OUT, ((TransportException) timedOut).kind());
    assertTrue(timedOut.getMessage().contains(silent.endpoint().toString()));
    Throwable closed = awaitFailure(second);
    assertInstanceOf(TransportException.class, closed, "the request behind it fails too");
    waitUntil("the client is closed", () -> !client.isOpen());
    silent.close();
  }

  @Test
  void peerClosingFailsRequestsInFlight() throws Exception {
    Listener closer = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
        c -> (conn, frame) -> conn.close());
    RequestClient client = await(RequestClient.connect(transport, closer.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    Throwable failure = awaitFailure(client.call(bytes("x"), WAIT));
    assertInstanceOf(TransportException.class, failure);
    assertEquals(TransportException.Kind.CLOSED, ((TransportException) failure).kind());
    closer.close();
  }

  @Test
  void closingAListenerFreesItsEndpointForImmediateReuse() throws Exception {
    Listener first = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    Endpoint bound = first.endpoint();
    RequestClient client = await(RequestClient.connect(transport, bound, connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    await(client.call(bytes("x"), WAIT));
    first.close();
    waitUntil("closing the listener closes its connections", () -> !client.isOpen());

    Listener second = transport.listen(bound, listenOptions(FrameFormat.UINT32_BIG_ENDIAN), c -> (conn, f) -> conn.send(f));
    assertEquals(bound, second.endpoint());
    RequestClient again = await(RequestClient.connect(transport, bound, connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    assertArrayEquals(bytes("y"), await(again.call(bytes("y"), WAIT)));
    again.close();
    second.close();
  }

  @Test
  void listeningTwiceOnOneEndpointIsRefused() throws Exception {
    Listener first = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    try {
      transport.listen(first.endpoint(), listenOptions(FrameFormat.UINT32_BIG_ENDIAN), c -> (conn, f) -> { });
      fail("a second listener on " + first.endpoint() + " must be refused");
    } catch (TransportException e) {
      assertEquals(TransportException.Kind.BIND_FAILED, e.kind());
      assertTrue(e.getMessage().contains(first.endpoint().toString()), e.getMessage());
    }
    RequestClient client = await(RequestClient.connect(transport, first.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
    assertArrayEquals(bytes("z"), await(client.call(bytes("z"), WAIT)), "the first listener still serves");
    client.close();
    first.close();
  }

  // ---- blocking connections: Transport.connectBlocking, RequestClient.connectBlocking ----

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void blockingConnectionSendsAndReceivesTheEcho(FrameFormat format) throws Exception {
    Listener listener = echoListener(listenOptions(format));
    BlockingConnection client = transport.connectBlocking(listener.endpoint(), connectOptions(format));
    assertTrue(client.isOpen());
    assertEquals(listener.endpoint(), client.remote());
    for (String s : List.of("hello", "", "a longer frame with more than 127 bytes ".repeat(5))) {
      await(client.send(bytes(s)));
      assertArrayEquals(bytes(s), receiveWithin(client), "the echo of '" + s + "'");
    }
    client.close();
    assertFalse(client.isOpen());
    await(client.closeFuture());
    assertKind(TransportException.Kind.CLOSED, awaitFailure(client.send(bytes("late"))));
    assertKind(TransportException.Kind.CLOSED, assertThrows(TransportException.class, () -> receiveWithin(client)));
    listener.close();
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void blockingConnectionTakesAFrameOfMaximumLengthAndRefusesOneMore(FrameFormat format) throws Exception {
    int max = 70_000; // more than the 64 KiB a socket-backed blocking connection reads at once; a 3-byte varint
    // Answers a 4-byte length n with a frame of n bytes; it may send one byte more than the client takes.
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(format).withMaxFrameLength(max + 1),
        c -> (conn, frame) -> conn.send(patterned(ByteBuffer.wrap(frame).getInt())));
    BlockingConnection client = transport.connectBlocking(listener.endpoint(),
        connectOptions(format).withMaxFrameLength(max));
    await(client.send(intFrame(max)));
    assertArrayEquals(patterned(max), receiveWithin(client), "a frame of exactly the maximum length passes");

    // Sending side: refused before anything is written, so the connection stays usable.
    assertKind(TransportException.Kind.BAD_FRAME, awaitFailure(client.send(new byte[max + 1])));
    await(client.send(intFrame(3)));
    assertArrayEquals(patterned(3), receiveWithin(client), "a refused send leaves the stream intact");

    await(client.send(intFrame(max + 1)));
    TransportException refused = assertKind(TransportException.Kind.BAD_FRAME,
        assertThrows(TransportException.class, () -> receiveWithin(client)));
    assertTrue(refused.getMessage().contains(Integer.toString(max)), "the error names the maximum: " + refused);
    assertTrue(refused.getMessage().contains(listener.endpoint().toString()), "the error names the endpoint: " + refused);
    assertFalse(client.isOpen(), "a bad frame closes the connection: the stream cannot be resynchronised");
    await(client.closeFuture());
    assertKind(TransportException.Kind.BAD_FRAME, assertThrows(TransportException.class, () -> receiveWithin(client)));
    listener.close();
  }

  @Test
  void blockingConnectionReceivesThousandPipelinedFramesInOrder() throws Exception {
    Listener listener = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    BlockingConnection client = transport.connectBlocking(listener.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    int n = 1_000;
    // Sent by a second thread while this one receives: a sender that does not read stalls well
    // before 1,000 small frames (a Unix socket accounts each write at about a kilobyte, and the
    // listener stops reading at 256 unanswered frames).
    Worker<Void> sender = startWorker("kit-sender", () -> {
      for (int i = 0; i < n; i++) {
        await(client.send(intFrame(i)));
      }
      return null;
    });
    for (int i = 0; i < n; i++) {
      assertEquals(i, ByteBuffer.wrap(receiveWithin(client)).getInt(), "frame " + i + " in order");
    }
    await(sender.outcome());
    client.close();
    listener.close();
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void blockingConnectionReassemblesLargeFramesAndFramesAcrossReads(FrameFormat format) throws Exception {
    Listener listener = echoListener(listenOptions(format));
    BlockingConnection client = transport.connectBlocking(listener.endpoint(), connectOptions(format));
    byte[] large = patterned(300_000); // several of the 64 KiB reads of a socket-backed connection
    await(client.send(large));
    assertArrayEquals(large, receiveWithin(client), "a frame larger than one read arrives whole");

    // About 600 KB of frames of every size from 100 to 1,099 bytes: reads end inside headers and
    // payloads alike. Sent from a second thread while this one receives, as above.
    int n = 1_000;
    Worker<Void> sender = startWorker("kit-sender", () -> {
      for (int i = 0; i < n; i++) {
        byte[] frame = patterned(100 + i);
        frame[0] = (byte) i;
        await(client.send(frame));
      }
      return null;
    });
    try (Watchdog watchdog = Watchdog.arm(LOAD_WAIT, "closed " + client, client::close)) {
      for (int i = 0; i < n; i++) {
        byte[] expected = patterned(100 + i);
        expected[0] = (byte) i;
        byte[] got = client.receive();
        if (!Arrays.equals(expected, got)) {
          fail("frame " + i + " of " + expected.length + " bytes arrived as " + got.length + " bytes, or altered");
        }
      }
    }
    await(sender.outcome());
    client.close();
    listener.close();
  }

  @Test
  void peerClosingEndsABlockingConnectionAfterTheFramesItSent() throws Exception {
    // Answers with two frames, then closes.
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
        c -> (conn, frame) -> {
          conn.send(bytes("a"));
          conn.send(bytes("b"));
          conn.close();
        });
    BlockingConnection client = transport.connectBlocking(listener.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    await(client.send(bytes("bye")));
    assertArrayEquals(bytes("a"), receiveWithin(client));
    assertArrayEquals(bytes("b"), receiveWithin(client));
    TransportException closed = assertKind(TransportException.Kind.CLOSED,
        assertThrows(TransportException.class, () -> receiveWithin(client)));
    assertTrue(closed.getMessage().contains(listener.endpoint().toString()), "the error names the endpoint: " + closed);
    assertKind(TransportException.Kind.CLOSED, assertThrows(TransportException.class, () -> receiveWithin(client)));
    assertFalse(client.isOpen());
    await(client.closeFuture());
    assertKind(TransportException.Kind.CLOSED, awaitFailure(client.send(bytes("late"))));
    listener.close();
  }

  @Test
  void closeFromAnotherThreadUnblocksAReceive() throws Exception {
    Listener silent = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
        c -> (conn, frame) -> { });
    BlockingConnection client = transport.connectBlocking(silent.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    Worker<byte[]> reader = startWorker("kit-blocked-reader", client::receive);
    waitUntil("the reader blocks in receive", () -> BlockedThreads.isBlockedIn(reader.thread(), "receive"));
    client.close();
    assertKind(TransportException.Kind.CLOSED, awaitFailure(reader.outcome()));
    assertFalse(client.isOpen());
    await(client.closeFuture());
    silent.close();
  }

  @Test
  void blockingConnectToNothingIsRefusedNamingTheEndpoint() {
    Endpoint dead = deadEndpoint(dir);
    TransportException refused = assertThrows(TransportException.class, () -> transport.connectBlocking(dead,
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN).withConnectTimeout(Duration.ofSeconds(2))));
    assertEquals(TransportException.Kind.REFUSED, refused.kind(), refused.toString());
    assertTrue(refused.getMessage().contains(dead.toString()), "the error names the endpoint: " + refused);
  }

  @Test
  void closingTheTransportClosesItsBlockingConnections() throws Exception {
    // The listener belongs to another transport: what closes the clients is their own transport.
    Transport serverSide = newProvider().create();
    try {
      Listener listener = serverSide.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
          c -> (conn, f) -> conn.send(f));
      ConnectOptions options = connectOptions(FrameFormat.UINT32_BIG_ENDIAN);
      BlockingConnection idle = transport.connectBlocking(listener.endpoint(), options);
      BlockingConnection reading = transport.connectBlocking(listener.endpoint(), options);
      await(reading.send(bytes("x")));
      assertArrayEquals(bytes("x"), receiveWithin(reading));
      Worker<byte[]> reader = startWorker("kit-blocked-reader", reading::receive);
      waitUntil("the reader blocks in receive", () -> BlockedThreads.isBlockedIn(reader.thread(), "receive"));

      transport.close();
      for (BlockingConnection c : List.of(idle, reading)) {
        await(c.closeFuture());
        assertFalse(c.isOpen());
      }
      assertKind(TransportException.Kind.CLOSED, awaitFailure(reader.outcome()));
      assertKind(TransportException.Kind.CLOSED,
          assertThrows(TransportException.class, () -> transport.connectBlocking(listener.endpoint(), options)));
    } finally {
      serverSide.close();
    }
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void blockingRequestClientRoundTrips(FrameFormat format) throws Exception {
    Listener listener = echoListener(listenOptions(format));
    try (RequestClient client = RequestClient.connectBlocking(transport, listener.endpoint(), connectOptions(format))) {
      assertEquals(listener.endpoint(), client.endpoint());
      for (int i = 0; i < 100; i++) {
        assertEquals(i, ByteBuffer.wrap(client.callBlocking(intFrame(i), WAIT)).getInt(), "answer " + i);
      }
      assertEquals(0, client.inFlight());
      assertTrue(client.isOpen());
    }
    listener.close();
  }

  @Test
  void blockingRequestClientGivesEachOfEightThreadsItsOwnAnswers() throws Exception {
    Listener listener = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    RequestClient client = RequestClient.connectBlocking(transport, listener.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    int threads = 8;
    int calls = 500;
    CountDownLatch start = new CountDownLatch(1);
    List<Worker<List<String>>> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int caller = t;
      callers.add(startWorker("kit-caller-" + t, () -> {
        assertTrue(start.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < calls && wrong.size() < 10; i++) {
          byte[] request = ByteBuffer.allocate(8).putInt(caller).putInt(i).array();
          byte[] answer = client.callBlocking(request, WAIT);
          if (!Arrays.equals(request, answer)) {
            ByteBuffer a = ByteBuffer.wrap(answer);
            wrong.add("caller " + caller + " call " + i + " got "
                + (answer.length == 8 ? "caller " + a.getInt() + " call " + a.getInt() : answer.length + " bytes"));
          }
        }
        return wrong;
      }));
    }
    start.countDown();
    long deadline = System.nanoTime() + LOAD_WAIT.toNanos();
    List<String> wrong = new ArrayList<>();
    for (Worker<List<String>> c : callers) {
      wrong.addAll(c.outcome().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
    }
    assertEquals(List.of(), wrong, "every caller gets the answer to its own request");
    assertEquals(0, client.inFlight());
    assertTrue(client.isOpen());
    client.close();
    listener.close();
  }

  @Test
  void blockingRequestClientTimeoutFailsThatRequestAndClosesTheClient() throws Exception {
    Listener silent = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
        c -> (conn, frame) -> { });
    ConnectOptions options = connectOptions(FrameFormat.UINT32_BIG_ENDIAN);
    Duration hasty = Duration.ofMillis(200);
    Duration patient = Duration.ofMinutes(1); // a failure well before it is the client's closing

    // A lone caller is the one reading when its deadline passes: the close must unblock its read.
    RequestClient lone = RequestClient.connectBlocking(transport, silent.endpoint(), options);
    long start = System.nanoTime();
    // Callers run on threads of their own, so that one left waiting fails the test within WAIT.
    Worker<byte[]> loneCaller = startWorker("kit-lone-caller", () -> lone.callBlocking(bytes("one"), hasty));
    TransportException timedOut = assertKind(TransportException.Kind.TIMED_OUT, awaitFailure(loneCaller.outcome()));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMs >= hasty.toMillis(), "not before its deadline: " + elapsedMs + " ms");
    assertTrue(timedOut.getMessage().contains(silent.endpoint().toString()), "names the endpoint: " + timedOut);
    assertFalse(lone.isOpen(), "a timeout closes the client: a late answer would be taken for the next request's");
    assertKind(TransportException.Kind.CLOSED,
        assertThrows(TransportException.class, () -> lone.callBlocking(bytes("two"), patient)));

    // Three patient callers wait, one reading, two following; a hasty one joins them. Its timeout
    // fails it, and the others fail CLOSED: nobody is left waiting.
    RequestClient shared = RequestClient.connectBlocking(transport, silent.endpoint(), options);
    List<Worker<byte[]>> patients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      patients.add(startWorker("kit-patient-" + i, () -> shared.callBlocking(bytes("patient"), patient)));
    }
    waitUntil("the three patient callers wait for their answers", () -> shared.inFlight() == 3
        && patients.stream().allMatch(w -> BlockedThreads.isBlockedIn(w.thread(), "callBlocking")));
    Worker<byte[]> hastyCaller = startWorker("kit-hasty-caller", () -> shared.callBlocking(bytes("hasty"), hasty));
    assertKind(TransportException.Kind.TIMED_OUT, awaitFailure(hastyCaller.outcome()));
    for (Worker<byte[]> w : patients) {
      assertKind(TransportException.Kind.CLOSED, awaitFailure(w.outcome()));
    }
    assertFalse(shared.isOpen());
    assertEquals(0, shared.inFlight());
    silent.close();
  }

  @Test
  void blockingRequestClientAnswersPipelinedCallsWhenTheLastIsAwaited() throws Exception {
    Listener listener = echoListener(listenOptions(FrameFormat.UINT32_BIG_ENDIAN));
    RequestClient client = RequestClient.connectBlocking(transport, listener.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    CompletableFuture<byte[]> first = client.call(bytes("1"), WAIT);
    CompletableFuture<byte[]> second = client.call(bytes("2"), WAIT);
    CompletableFuture<byte[]> third = client.call(bytes("3"), WAIT);
    assertFalse(first.isDone(), "in blocking mode no thread reads until one awaits");
    assertEquals(3, client.inFlight());
    assertArrayEquals(bytes("3"), client.await(third));
    assertTrue(first.isDone() && second.isDone(), "awaiting the third read the two answers before it");
    assertArrayEquals(bytes("1"), first.getNow(null));
    assertArrayEquals(bytes("2"), second.getNow(null));
    assertArrayEquals(bytes("1"), client.await(first), "awaiting an answer already in returns it");
    assertEquals(0, client.inFlight());
    client.close();
    listener.close();
  }

  @Test
  void interruptingTheReadingCallerFailsTheCallsWithoutHanging() throws Exception {
    Listener silent = transport.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN),
        c -> (conn, frame) -> { });
    RequestClient client = RequestClient.connectBlocking(transport, silent.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    Worker<byte[]> reader = startWorker("kit-reader", () -> client.callBlocking(bytes("first"), LOAD_WAIT));
    waitUntil("the caller reads", () -> BlockedThreads.isBlockedIn(reader.thread(), "receive"));
    Worker<byte[]> follower = startWorker("kit-follower", () -> client.callBlocking(bytes("second"), LOAD_WAIT));
    waitUntil("a second caller waits", () -> client.inFlight() == 2
        && BlockedThreads.isBlockedIn(follower.thread(), "callBlocking"));
    // The thread that reads is interrupted while blocked in its read: the connection cannot be read
    // from mid-frame safely afterwards, so the client closes, and every call fails.
    reader.thread().interrupt();
    assertInstanceOf(TransportException.class, awaitFailure(reader.outcome()));
    assertInstanceOf(TransportException.class, awaitFailure(follower.outcome()));
    waitUntil("the client is closed", () -> !client.isOpen());
    silent.close();
  }

  @Test
  void closeLeaksNoThreadsOrFileDescriptors() throws Exception {
    exerciseAndClose(newProvider().create()); // warm up: class loading, JDK-wide threads
    Set<Thread> threadsBefore = liveThreads();
    long fdsBefore = openFileDescriptors();

    exerciseAndClose(newProvider().create());

    waitUntil("every thread the transport started has ended", () -> newThreads(threadsBefore).isEmpty());
    if (fdsBefore >= 0) {
      waitUntil("file descriptors are back to " + fdsBefore + " (now " + openFileDescriptors() + ")",
          () -> openFileDescriptors() <= fdsBefore);
    }
  }

  private void exerciseAndClose(Transport t) throws Exception {
    Listener l = t.listen(newListenEndpoint(dir), listenOptions(FrameFormat.UINT32_BIG_ENDIAN), c -> (conn, f) -> conn.send(f));
    List<RequestClient> clients = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      RequestClient c = await(RequestClient.connect(t, l.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN)));
      await(c.call(intFrame(i), WAIT));
      clients.add(c);
    }
    clients.get(0).close(); // one closed by the client, the rest by the transport
    // Blocking connections too, likewise; one under a thread blocked in receive, which the
    // transport's close must end.
    List<BlockingConnection> blocking = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      BlockingConnection b = t.connectBlocking(l.endpoint(), connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
      await(b.send(intFrame(i)));
      receiveWithin(b);
      blocking.add(b);
    }
    RequestClient blockingClient = RequestClient.connectBlocking(t, l.endpoint(),
        connectOptions(FrameFormat.UINT32_BIG_ENDIAN));
    blockingClient.callBlocking(intFrame(3), WAIT);
    blocking.get(0).close();
    Worker<byte[]> reader = startWorker("kit-reader-at-transport-close", blocking.get(1)::receive);
    waitUntil("the reader blocks in receive", () -> BlockedThreads.isBlockedIn(reader.thread(), "receive"));
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture.runAsync(() -> {
      t.close();
      done.countDown();
    });
    assertTrue(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "Transport.close() returns");
    for (RequestClient c : clients) {
      waitUntil("client connections are closed", () -> !c.isOpen());
    }
    for (BlockingConnection b : blocking) {
      waitUntil("blocking connections are closed", () -> !b.isOpen());
    }
    waitUntil("the blocking client is closed", () -> !blockingClient.isOpen());
    assertInstanceOf(TransportException.class, awaitFailure(reader.outcome()), "the blocked receive ends");
  }

  private Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  private List<String> newThreads(Set<Thread> before) {
    return liveThreads().stream().filter(t -> !before.contains(t)).map(Thread::getName)
        .filter(n -> !isForeignThread(n)).collect(Collectors.toList());
  }

  private static long openFileDescriptors() {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1; // not Linux: only threads are checked
    }
    try (Stream<Path> s = Files.list(fds)) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
