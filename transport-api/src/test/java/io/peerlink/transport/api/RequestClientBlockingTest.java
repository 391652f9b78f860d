package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.testing.BlockedThreads;
import io.peerlink.transport.api.testing.InMemoryTransport;
import io.peerlink.transport.api.testing.InMemoryTransportProvider;
import io.peerlink.transport.api.testing.TestThread;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RequestClient's blocking mode over the in-memory transport (so through the queued adapter of
 * {@link Transport#connectBlocking}): what happens to the callers who wait while another reads.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RequestClientBlockingTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private Transport transport;
  private Listener listener;
  private final List<byte[]> held = new ArrayList<>(); // guarded by itself
  private final AtomicReference<Connection> serverSide = new AtomicReference<>();

  @BeforeEach
  void listen() throws Exception {
    transport = new InMemoryTransportProvider().create();
    // Holds every request's echo, in order, until a request "release:n" comes (held too), then
    // sends the n oldest: the test decides when answers arrive.
    listener = transport.listen(Endpoint.parse("mem://rcb-" + System.nanoTime()),
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), c -> {
          serverSide.set(c);
          return (conn, frame) -> {
            synchronized (held) {
              held.add(frame);
              String request = new String(frame, StandardCharsets.UTF_8);
              if (request.startsWith("release:")) {
                for (int n = Integer.parseInt(request.substring(8)); n > 0 && !held.isEmpty(); n--) {
                  conn.send(held.remove(0));
                }
              }
            }
          };
        });
  }

  @AfterEach
  void close() {
    listener.close();
    transport.close();
  }

  private RequestClient client() throws TransportException {
    return RequestClient.connectBlocking(transport, listener.endpoint(), ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // polls the condition
    }
  }

  private static <T> T within(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static TransportException failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(TransportException.class, e.getCause());
    }
    return fail("expected a failure");
  }

  @Test
  void anInterruptedFollowerGivesUpWaitingAndItsAnswerIsKeptForLater() throws Exception {
    RequestClient client = client();
    CompletableFuture<byte[]> first = client.call(bytes("first"), WAIT);
    CompletableFuture<byte[]> second = client.call(bytes("second"), WAIT);
    TestThread<byte[]> leader = TestThread.start("leader", () -> client.await(first));
    waitUntil("the leader reads", () -> BlockedThreads.isBlockedIn(leader.thread(), "receive"));
    // The follower reports how it ended, and whether its interrupt status survived.
    TestThread<String> follower = TestThread.start("follower", () -> {
      try {
        return "answered " + new String(client.await(second), StandardCharsets.UTF_8);
      } catch (TransportException e) {
        return e.kind() + ", interrupted " + Thread.currentThread().isInterrupted();
      }
    });
    waitUntil("the follower waits for the leader", () -> BlockedThreads.isBlockedIn(follower.thread(), "await")
        && !BlockedThreads.isBlockedIn(follower.thread(), "receive"));

    follower.thread().interrupt();
    assertEquals("IO, interrupted true", within(follower.outcome()),
        "an interrupted follower fails with IO and keeps its interrupt status");
    assertTrue(client.isOpen(), "a follower's interrupt leaves the client open: it never touched the connection");
    assertEquals(2, client.inFlight(), "its request is still in flight");
    assertFalse(leader.outcome().isDone());

    CompletableFuture<byte[]> release = client.call(bytes("release:3"), WAIT);
    assertArrayEquals(bytes("first"), within(leader.outcome()), "the leader still gets its answer");
    assertArrayEquals(bytes("second"), client.await(second), "the follower's answer waits to be awaited again");
    assertArrayEquals(bytes("release:3"), client.await(release));
    assertEquals(0, client.inFlight());
    client.close();
  }

  @Test
  void aFollowerIsWokenWhenTheReaderReadsItsAnswerAndReadsOn() throws Exception {
    RequestClient client = client();
    CompletableFuture<byte[]> first = client.call(bytes("first"), WAIT);
    CompletableFuture<byte[]> second = client.call(bytes("second"), WAIT);
    // The reader waits for the later answer, the follower for the earlier one.
    TestThread<byte[]> reader = TestThread.start("reader", () -> client.await(second));
    waitUntil("the reader reads", () -> BlockedThreads.isBlockedIn(reader.thread(), "receive"));
    TestThread<byte[]> follower = TestThread.start("follower", () -> client.await(first));
    waitUntil("the follower waits for the reader", () -> BlockedThreads.isBlockedIn(follower.thread(), "await")
        && !BlockedThreads.isBlockedIn(follower.thread(), "receive"));

    client.call(bytes("release:1"), WAIT); // answers "first" only
    assertArrayEquals(bytes("first"), within(follower.outcome()),
        "the follower is woken while the reader, its own answer not in yet, reads on");
    assertFalse(reader.outcome().isDone());
    waitUntil("the reader reads on", () -> BlockedThreads.isBlockedIn(reader.thread(), "receive"));

    client.call(bytes("release:1"), WAIT); // answers "second"
    assertArrayEquals(bytes("second"), within(reader.outcome()));
    client.close();
  }

  @Test
  void closingTheClientEndsTheReaderAndTheFollowersWithClosed() throws Exception {
    RequestClient client = client();
    List<TestThread<byte[]>> callers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      callers.add(TestThread.start("caller-" + i, () -> client.callBlocking(bytes("r" + n), WAIT)));
    }
    waitUntil("three callers wait, one of them reading", () -> client.inFlight() == 3
        && callers.stream().allMatch(c -> BlockedThreads.isBlockedIn(c.thread(), "callBlocking")));
    client.close();
    for (TestThread<byte[]> c : callers) {
      assertEquals(TransportException.Kind.CLOSED, failureOf(c.outcome()).kind(), c.thread().getName());
    }
    assertFalse(client.isOpen());
    assertEquals(TransportException.Kind.CLOSED, failureOf(client.call(bytes("late"), WAIT)).kind());
  }

  @Test
  void thePeerClosingEndsTheReaderAndTheFollowersWithClosed() throws Exception {
    RequestClient client = client();
    List<TestThread<byte[]>> callers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      callers.add(TestThread.start("caller-" + i, () -> client.callBlocking(bytes("r"), WAIT)));
    }
    waitUntil("three callers wait, one of them reading", () -> client.inFlight() == 3
        && callers.stream().allMatch(c -> BlockedThreads.isBlockedIn(c.thread(), "callBlocking")));
    serverSide.get().close();
    for (TestThread<byte[]> c : callers) {
      assertEquals(TransportException.Kind.CLOSED, failureOf(c.outcome()).kind(), c.thread().getName());
    }
    waitUntil("the client is closed", () -> !client.isOpen());
  }

  @Test
  void aBadFrameWhileCallersWaitFailsThemAllWithBadFrame() throws Exception {
    RequestClient client = client();
    List<TestThread<byte[]>> callers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      callers.add(TestThread.start("caller-" + i, () -> client.callBlocking(bytes("r"), WAIT)));
    }
    waitUntil("two callers wait", () -> client.inFlight() == 2
        && callers.stream().allMatch(c -> BlockedThreads.isBlockedIn(c.thread(), "callBlocking")));
    InMemoryTransport.sendRaw(serverSide.get(), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    for (TestThread<byte[]> c : callers) {
      assertEquals(TransportException.Kind.BAD_FRAME, failureOf(c.outcome()).kind(), c.thread().getName());
    }
    waitUntil("the client is closed", () -> !client.isOpen());
  }

  @Test
  void awaitingAFutureThatIsNotThisClientsIsRefusedInsteadOfWaitingForever() throws Exception {
    RequestClient client = client();
    RequestClient other = client();
    CompletableFuture<byte[]> others = other.call(bytes("for the other"), WAIT);
    client.close(); // once closed, nothing this client reads could complete a foreign future
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.await(others));
    assertTrue(e.getMessage().contains("call returned"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> client.await(new CompletableFuture<>()));
    assertArrayEquals(bytes("done"), client.await(CompletableFuture.completedFuture(bytes("done"))),
        "a completed future needs no reading: its value is returned");
    other.call(bytes("release:2"), WAIT);
    assertArrayEquals(bytes("for the other"), other.await(others), "its own client still awaits it");
    other.close();
  }
}
