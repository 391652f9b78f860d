package io.peerlink.transport.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every transport passes, run unchanged by each transport module through the
 * hooks of {@link TransportKit} and {@link #deadEndpoint}. Modelled on grpc-java's
 * {@code AbstractTransportTest} and Netty's testsuite.
 *
 * <p>Every wait has a deadline; nothing sleeps to pass.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class AbstractTransportTest extends TransportKit {

  /** An endpoint where nothing listens, for the connect-failure test. */
  protected abstract Endpoint deadEndpoint(Path dir);

  /** Thread names that belong to the JDK or the test harness, not to the transport. */
  protected boolean isForeignThread(String name) {
    return name.startsWith("ForkJoinPool") || name.startsWith("CompletableFutureDelayScheduler")
        || name.startsWith("process reaper") || name.startsWith("Attach Listener")
        || name.startsWith("surefire") || name.startsWith("junit") || name.startsWith("Common-Cleaner");
  }

  // ---- helpers ----

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] intFrame(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
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

  /**
   * Frames of megabytes, as a {@code get_blocks_range} answer is, arrive byte for byte both ways:
   * sizes around 1 and 2 MiB with the header (3 or 4 bytes) on either side of the boundary, where
   * a transport that writes large frames in pieces (tcp: 1 MiB) splits them, and one of 8 MiB.
   */
  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void largeFramesArriveByteForByte(FrameFormat format) throws Exception {
    int max = 16 * 1024 * 1024;
    Listener listener = echoListener(listenOptions(format).withMaxFrameLength(max));
    Inbox inbox = new Inbox();
    Connection client = await(transport.connect(listener.endpoint(), connectOptions(format).withMaxFrameLength(max),
        inbox));
    int mib = 1 << 20;
    java.util.Random random = new java.util.Random(15);
    for (int size : new int[] {mib - 5, mib - 4, mib - 3, mib - 2, mib, mib + 1, 2 * mib - 4, 2 * mib - 3, 2 * mib + 1,
        8 * mib + 12_345}) {
      byte[] frame = new byte[size];
      random.nextBytes(frame);
      await(client.send(frame));
      assertArrayEquals(frame, inbox.next(), "a frame of " + size + " bytes, echoed");
    }
    client.close();
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
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture.runAsync(() -> {
      t.close();
      done.countDown();
    });
    assertTrue(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "Transport.close() returns");
    for (RequestClient c : clients) {
      waitUntil("client connections are closed", () -> !c.isOpen());
    }
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
