package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.peerlink.transport.api.testing.InMemoryTransport;
import io.peerlink.transport.api.testing.InMemoryTransportProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timeouts of pipelined requests: one armed check per client must still catch every deadline. */
class RequestClientTest {

  private Transport transport;
  private Listener listener;

  @BeforeEach
  void listen() throws Exception {
    transport = new InMemoryTransportProvider().create();
    // Answers every frame except those starting with "silent".
    listener = transport.listen(Endpoint.parse("mem://rc-" + System.nanoTime()),
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), c -> (conn, frame) -> {
          if (!new String(frame, StandardCharsets.UTF_8).startsWith("silent")) {
            conn.send(frame);
          }
        });
  }

  @AfterEach
  void close() {
    listener.close();
    transport.close();
  }

  private RequestClient client() throws Exception {
    return RequestClient.connect(transport, listener.endpoint(), ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN))
        .get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aLaterRequestWithAShorterTimeoutStillTimesOutFirst() throws Exception {
    RequestClient client = client();
    CompletableFuture<byte[]> patient = client.call(bytes("silent-1"), Duration.ofSeconds(60));
    CompletableFuture<byte[]> hasty = client.call(bytes("silent-2"), Duration.ofMillis(100));
    Throwable timedOut = failure(hasty);
    assertInstanceOf(TransportException.class, timedOut);
    assertEquals(TransportException.Kind.TIMED_OUT, ((TransportException) timedOut).kind());
    assertEquals(TransportException.Kind.CLOSED, ((TransportException) failure(patient)).kind());
  }

  @Test
  void aDeadlineAfterTheArmedCheckIsCaughtWhenTheCheckReArms() throws Exception {
    RequestClient client = client();
    // The first call arms the client's check at its own deadline; it is answered at once.
    assertArrayEquals(bytes("a"), client.call(bytes("a"), Duration.ofMillis(150)).get(10, TimeUnit.SECONDS));
    // This deadline is later than the armed check: the check must re-arm for it.
    CompletableFuture<byte[]> silent = client.call(bytes("silent"), Duration.ofMillis(400));
    Throwable timedOut = failure(silent);
    assertEquals(TransportException.Kind.TIMED_OUT, ((TransportException) timedOut).kind());
    assertEquals(false, client.isOpen(), "a timeout closes the connection: a late answer would be misread");
  }

  @Test
  void answeredRequestsLeaveNothingPending() throws Exception {
    RequestClient client = client();
    for (int i = 0; i < 100; i++) {
      assertArrayEquals(bytes("r" + i), client.call(bytes("r" + i), Duration.ofMillis(50 + i)).get(10, TimeUnit.SECONDS));
    }
    assertEquals(0, client.inFlight());
    // Once every deadline above has passed, the checks they armed have run: the client must still be open.
    CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)).get(10, TimeUnit.SECONDS);
    assertEquals(true, client.isOpen(), "answered in time: no timeout fires later");
    assertArrayEquals(bytes("after"), client.call(bytes("after"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
    client.close();
    assertEquals(TransportException.Kind.CLOSED, ((TransportException) failure(client.call(bytes("x"), Duration.ofSeconds(1)))).kind());
  }

  @Test
  void anAnswerWithNoRequestWaitingClosesTheClientWithBadFrame() throws Exception {
    // Only the I/O-thread mode can see this: a blocking-mode client reads only while a request
    // waits, so there a stray frame is taken for the next request's answer.
    AtomicReference<Connection> serverSide = new AtomicReference<>();
    Listener talkative = transport.listen(Endpoint.parse("mem://rc-stray-" + System.nanoTime()),
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), c -> {
          serverSide.set(c);
          return (conn, frame) -> conn.send(frame);
        });
    RequestClient client = RequestClient.connect(transport, talkative.endpoint(),
        ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN)).get(10, TimeUnit.SECONDS);
    assertArrayEquals(bytes("asked"), client.call(bytes("asked"), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS));
    InMemoryTransport.sendRaw(serverSide.get(), FrameFormat.UINT32_BIG_ENDIAN.encode(bytes("unasked")));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.isOpen() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // polls the condition
    }
    assertEquals(false, client.isOpen(), "the stray frame closes the client");
    TransportException after = (TransportException) failure(client.call(bytes("x"), Duration.ofSeconds(1)));
    assertEquals(TransportException.Kind.BAD_FRAME, after.kind(), "the client says why it closed: " + after);
    talkative.close();
  }
}
