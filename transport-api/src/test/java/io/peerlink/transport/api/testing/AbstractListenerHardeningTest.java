package io.peerlink.transport.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.TransportException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every listener does against hostile or greedy clients ({@link ListenerLimits},
 * {@link AccessPolicy}, {@link io.peerlink.transport.api.ListenerStats}), run by each socket
 * transport module through the same hooks as {@link AbstractTransportTest} ({@link TransportKit}). Misbehaving clients
 * are {@link RawClient raw sockets}, so the bytes on the wire are exactly what the test says.
 *
 * <p>Timeouts are short (300 ms) so the suite is quick; every wait has a deadline.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class AbstractListenerHardeningTest extends TransportKit {

  // Long against the 60-100 ms pacing below, so a loaded 2-core machine cannot stretch an honest
  // gap past it (300 ms did, on CI-like load).
  private static final Duration SHORT = Duration.ofSeconds(1);
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final FrameFormat FORMAT = FrameFormat.UINT32_BIG_ENDIAN;

  /** An endpoint where nothing listens (same hook as the transport kit; unused here so far). */
  protected abstract Endpoint deadEndpoint(Path dir);

  /**
   * Opens a raw byte client to a listening endpoint; the default speaks tcp and unix. Override for
   * a transport whose endpoints the JDK cannot reach directly.
   */
  protected RawClient openRaw(Endpoint listening, int receiveBuffer) throws IOException {
    return RawClient.connect(listening, receiveBuffer);
  }

  private final List<RawClient> raws = new ArrayList<>();

  /** Before the kit closes the transport and deletes the directory (a subclass's AfterEach runs first). */
  @AfterEach
  void closeRawClients() throws IOException {
    for (RawClient r : raws) {
      r.close();
    }
  }

  // ---- helpers ----

  private RawClient raw(Listener l) throws IOException {
    return raw(l, 0);
  }

  private RawClient raw(Listener l, int receiveBuffer) throws IOException {
    RawClient r = openRaw(l.endpoint(), receiveBuffer);
    raws.add(r);
    return r;
  }

  private static ListenerLimits limits() {
    return ListenerLimits.DEFAULTS.withIdleTimeout(LONG).withPartialFrameTimeout(LONG);
  }

  private Listener echo(ListenOptions options, AtomicInteger connects) throws Exception {
    return transport.listen(newListenEndpoint(dir), options, c -> {
      connects.incrementAndGet();
      return (conn, frame) -> conn.send(frame);
    });
  }

  private RequestClient client(Listener l) throws Exception {
    return await(RequestClient.connect(transport, l.endpoint(), ConnectOptions.of(FORMAT)));
  }

  private static void roundTrip(RequestClient c, String s) throws Exception {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(b, await(c.call(b, WAIT)), "answered: " + s);
  }

  // Paces a client (sends every 100 ms); never used to make a result appear.
  private static void pause(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < until) {
      LockSupport.parkNanos(until - System.nanoTime());
    }
  }

  private static byte[] intFrame(int i) {
    return FORMAT.encode(ByteBuffer.allocate(4).putInt(i).array());
  }

  // ---- the contract ----

  @Test
  void idleConnectionIsClosedAndCountedAnActiveOneIsNot() throws Exception {
    Listener l = echo(ListenOptions.of(FORMAT).withLimits(limits().withIdleTimeout(SHORT)), new AtomicInteger());
    RawClient silent = raw(l);
    RequestClient active = client(l);
    long start = System.nanoTime();
    for (int i = 0; i < 25; i++) { // 2.5 s: two and a half idle timeouts
      roundTrip(active, "tick " + i);
      pause(100);
    }
    assertTrue(active.isOpen(), "a connection that sends every 100 ms stays open");
    assertTrue(silent.awaitClosed(WAIT), "the silent connection is closed");
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsed >= SHORT.toMillis() - 50, "not closed before the idle timeout: " + elapsed + " ms");
    waitUntil("closedIdle counts it", () -> l.stats().closedIdle() == 1);
    assertEquals(1, l.stats().closedIdle(), "only the silent one was closed");
    roundTrip(active, "still served");
    l.close();
  }

  @Test
  void partialFrameIsDroppedAfterTheTimeoutAndCounted() throws Exception {
    Listener l = echo(ListenOptions.of(FORMAT).withLimits(limits().withPartialFrameTimeout(SHORT)),
        new AtomicInteger());
    // Honest frames split in two halves 60 ms apart, for longer than the timeout: the timer is
    // armed by each header and cancelled by each frame's end.
    RawClient honest = raw(l);
    for (int i = 0; i < 20; i++) {
      byte[] f = intFrame(i);
      honest.write(Arrays.copyOf(f, 6), WAIT);
      pause(60);
      honest.write(Arrays.copyOfRange(f, 6, f.length), WAIT);
      assertArrayEquals(f, honest.readFully(f.length, WAIT), "frame " + i + " answered");
    }
    // Header announcing 100 bytes, then 50 of them, then nothing.
    RawClient slow = raw(l);
    byte[] half = Arrays.copyOf(FORMAT.encode(new byte[100]), FORMAT.headerLength(100) + 50);
    long start = System.nanoTime();
    slow.write(half, WAIT);
    assertTrue(slow.awaitClosed(WAIT), "the connection with a half frame is closed");
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsed >= SHORT.toMillis() - 50, "not before the partial-frame timeout: " + elapsed + " ms");
    waitUntil("closedPartialFrame counts it", () -> l.stats().closedPartialFrame() == 1);
    assertEquals(0, l.stats().closedIdle());
    byte[] f = intFrame(99);
    honest.write(f, WAIT);
    assertArrayEquals(f, honest.readFully(f.length, WAIT), "the honest connection is still served");
    l.close();
  }

  @Test
  void connectionsOverTheCapAreClosedAtAcceptAndCounted() throws Exception {
    AtomicInteger connects = new AtomicInteger();
    Listener l = echo(ListenOptions.of(FORMAT).withLimits(limits().withMaxConnections(2, 1000)), connects);
    RequestClient first = client(l);
    RequestClient second = client(l);
    roundTrip(first, "one");
    roundTrip(second, "two");
    RawClient third = raw(l);
    assertTrue(third.awaitClosed(WAIT), "the connection over the cap is closed");
    waitUntil("refusedOverLimit counts it", () -> l.stats().refusedOverLimit() == 1);
    assertEquals(2, connects.get(), "the handler never saw the refused connection");
    roundTrip(first, "one again");
    roundTrip(second, "two again");
    assertEquals(3, l.stats().accepted());
    assertEquals(2, l.stats().active());

    first.close();
    waitUntil("a slot is free", () -> l.stats().active() == 1);
    RequestClient fourth = client(l);
    roundTrip(fourth, "four");
    assertEquals(3, connects.get());
    l.close();
  }

  @Test
  void accessPolicyRefusalClosesAtAcceptBeforeTheHandler() throws Exception {
    AtomicBoolean admit = new AtomicBoolean(false);
    AtomicReference<Endpoint> checked = new AtomicReference<>();
    AccessPolicy policy = (remote, credentials) -> {
      checked.set(remote);
      return admit.get() ? Optional.empty() : Optional.of("refused by the test");
    };
    AtomicInteger connects = new AtomicInteger();
    Listener l = echo(ListenOptions.of(FORMAT).withLimits(limits()).withAccess(policy), connects);
    RawClient refused = raw(l);
    try {
      refused.write(intFrame(1), WAIT); // whatever it sends is never handled
    } catch (java.io.IOException closedAlready) {
      // The listener may close the refused socket before this write lands (a broken pipe on
      // Unix sockets): the write is not what is tested, the close and the count below are.
    }
    assertTrue(refused.awaitClosed(WAIT), "the refused connection is closed");
    waitUntil("refusedByPolicy counts it", () -> l.stats().refusedByPolicy() == 1);
    assertEquals(0, connects.get(), "the handler never saw the refused connection");
    assertNotNull(checked.get(), "the policy was asked, with the remote endpoint");

    admit.set(true);
    RequestClient ok = client(l);
    roundTrip(ok, "admitted");
    assertEquals(1, connects.get());
    assertEquals(1, l.stats().refusedByPolicy());
    waitUntil("accepted counts both", () -> l.stats().accepted() == 2);
    l.close();
  }

  @Test
  void pipeliningBeyondTheBoundPausesReadingAndEverythingIsAnsweredInOrder() throws Exception {
    int bound = 8;
    int requests = 1_000;
    int answerSize = 64 * 1024;
    // Room the kernel may hold in socket buffers: the listener's send buffer (Linux autotunes it
    // up to 4 MiB by default) and the client's receive buffer (set small below). Generous.
    int bufferedAnswers = 16 * 1024 * 1024 / answerSize;
    AtomicInteger seen = new AtomicInteger();
    Listener l = transport.listen(newListenEndpoint(dir),
        ListenOptions.of(FORMAT).withLimits(limits().withMaxPipelined(bound)), c -> (conn, frame) -> {
          seen.incrementAndGet();
          byte[] answer = new byte[answerSize];
          System.arraycopy(frame, 0, answer, 0, frame.length); // echoes the request number first
          conn.send(answer);
        });
    RawClient greedy = raw(l, 64 * 1024);
    ByteBuffer all = ByteBuffer.allocate(requests * 8);
    for (int i = 0; i < requests; i++) {
      all.put(intFrame(i));
    }
    greedy.write(all.array(), WAIT); // 8 KB: fits in the socket buffers at once

    waitUntil("the listener pauses reading", () -> l.stats().readPauses() >= 1);
    // While the client does not read, the listener stays bounded (observed for 500 ms).
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    while (System.nanoTime() < until) {
      int s = seen.get();
      assertTrue(s <= bound + bufferedAnswers && s < requests,
          "frames handled while the client reads nothing stay bounded: " + s);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    for (int i = 0; i < requests; i++) {
      byte[] answer = greedy.readFully(4 + answerSize, WAIT);
      assertEquals(i, ByteBuffer.wrap(answer, 4, 4).getInt(), "answer " + i + " in order");
    }
    assertEquals(requests, seen.get());
    assertEquals(0, l.stats().handlerErrors());
    l.close();
  }

  @Test
  void handlerErrorClosesOnlyThatConnectionAndIsCounted() throws Exception {
    Listener l = transport.listen(newListenEndpoint(dir), ListenOptions.of(FORMAT).withLimits(limits()),
        c -> (conn, frame) -> {
          if (new String(frame, StandardCharsets.UTF_8).equals("boom")) {
            throw new IllegalStateException("handler failure on purpose");
          }
          conn.send(frame);
        });
    RequestClient good = client(l);
    roundTrip(good, "before");
    RequestClient bad = client(l);
    CompletableFuture<byte[]> failed = bad.call("boom".getBytes(StandardCharsets.UTF_8), WAIT);
    try {
      failed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      fail("the throwing handler's connection must close");
    } catch (ExecutionException expected) {
      // closed
    }
    waitUntil("handlerErrors counts it", () -> l.stats().handlerErrors() == 1);
    waitUntil("one connection is left", () -> l.stats().active() == 1);
    roundTrip(good, "after");
    assertEquals(2, l.stats().accepted());
    l.close();
  }

  @Test
  void statsCountAcceptedAndActiveConnections() throws Exception {
    Listener l = echo(ListenOptions.of(FORMAT).withLimits(limits()), new AtomicInteger());
    assertEquals(0, l.stats().accepted());
    assertEquals(0, l.stats().active());
    List<RequestClient> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RequestClient c = client(l);
      roundTrip(c, "c" + i);
      clients.add(c);
    }
    assertEquals(3, l.stats().accepted());
    assertEquals(3, l.stats().active());
    clients.get(0).close();
    clients.get(1).close();
    waitUntil("active drops to 1", () -> l.stats().active() == 1);
    assertEquals(3, l.stats().accepted());
    assertFalse(l.stats().refusedOverLimit() + l.stats().refusedByPolicy() + l.stats().closedIdle()
        + l.stats().closedPartialFrame() + l.stats().handlerErrors() + l.stats().badFrames() > 0,
        "nothing else was counted: " + l.stats());
    clients.get(2).close();
    l.close();
  }

  @Test
  void badFrameHeaderIsCounted() throws Exception {
    Listener l = echo(ListenOptions.of(FORMAT).withMaxFrameLength(1024).withLimits(limits()), new AtomicInteger());
    RawClient bad = raw(l);
    bad.write(new byte[] {0x7f, 0, 0, 0, 1}, WAIT); // announces ~2 GB
    assertTrue(bad.awaitClosed(WAIT), "a frame over the maximum closes the connection");
    waitUntil("badFrames counts it", () -> l.stats().badFrames() == 1);
    l.close();
  }

  @Test
  void aSendAfterABadFrameCloseSaysBadFrameAndWhy() throws Exception {
    CompletableFuture<Connection> accepted = new CompletableFuture<>();
    Listener l = transport.listen(newListenEndpoint(dir), ListenOptions.of(FORMAT).withMaxFrameLength(1024),
        c -> {
          accepted.complete(c);
          return (conn, frame) -> conn.send(frame);
        });
    RawClient bad = raw(l);
    bad.write(new byte[] {0x7f, 0, 0, 0, 1}, WAIT); // announces ~2 GB
    assertTrue(bad.awaitClosed(WAIT), "a frame over the maximum closes the connection");
    Connection server = accepted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    waitUntil("the server side is closed", () -> !server.isOpen());
    // Same on every transport: whoever sends on it learns the close's kind and reason.
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> server.send(new byte[] {1}).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    TransportException te = assertInstanceOf(TransportException.class, e.getCause());
    assertEquals(TransportException.Kind.BAD_FRAME, te.kind(), te.getMessage());
    assertTrue(te.getMessage().contains("1024"), "names the maximum it broke: " + te.getMessage());
    l.close();
  }
}
