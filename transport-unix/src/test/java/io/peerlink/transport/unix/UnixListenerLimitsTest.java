package io.peerlink.transport.unix;

import static io.peerlink.transport.unix.UnixAccessPolicyTest.waitUntil;
import static io.peerlink.transport.unix.UnixTestSupport.LISTEN;
import static io.peerlink.transport.unix.UnixTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.testing.RawClient;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the Unix listener applies its limits where the shared kit cannot look: which frames count
 * against the pipelining bound, what a client that never reads costs, and that a connection over
 * the cap gets no reader thread.
 */
class UnixListenerLimitsTest {

  private static final FrameFormat FORMAT = FrameFormat.UINT32_BIG_ENDIAN;
  private static final ListenerLimits LONG = ListenerLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(30))
      .withPartialFrameTimeout(Duration.ofSeconds(30));

  private Path dir;
  private Transport transport;

  @BeforeEach
  void setUp() throws Exception {
    dir = UnixTestSupport.shortTempDir();
    transport = new UnixTransportProvider().create();
  }

  @AfterEach
  void tearDown() throws Exception {
    transport.close();
    UnixTestSupport.deleteTree(dir);
  }

  private static byte[] intFrame(int i) {
    return FORMAT.encode(ByteBuffer.allocate(4).putInt(i).array());
  }

  @Test
  void framesAwaitingAnAnswerStopReadingAtTheBoundAndEachAnswerLetsOneMoreIn() throws Exception {
    int bound = 4;
    List<byte[]> unanswered = new CopyOnWriteArrayList<>();
    AtomicInteger seen = new AtomicInteger();
    AtomicInteger connection = new AtomicInteger();
    Connection[] accepted = new Connection[1];
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("p.sock")),
        LISTEN.withLimits(LONG.withMaxPipelined(bound)), c -> {
          accepted[0] = c;
          connection.incrementAndGet();
          return (conn, frame) -> { // answers later, from the test thread
            unanswered.add(frame);
            seen.incrementAndGet();
          };
        });
    try (RawClient raw = RawClient.connect(listener.endpoint(), 0)) {
      ByteBuffer all = ByteBuffer.allocate(10 * 8);
      for (int i = 0; i < 10; i++) {
        all.put(intFrame(i));
      }
      raw.write(all.array(), WAIT);
      waitUntil("reading pauses at the bound", () -> listener.stats().readPauses() == 1);
      assertEquals(bound, seen.get(), "exactly the bound was handed on");
      for (int answered = 0; answered < 10; answered++) {
        byte[] frame = unanswered.remove(0);
        UnixTestSupport.await(accepted[0].send(frame));
        int expected = Math.min(10, bound + answered + 1);
        waitUntil("one more frame once one is answered", () -> seen.get() == expected);
        assertEquals(ByteBuffer.wrap(frame).getInt(), ByteBuffer.wrap(raw.readFully(8, WAIT), 4, 4).getInt());
      }
      assertEquals(10, seen.get());
      assertTrue(listener.stats().readPauses() >= 2, "paused again at each full bound: " + listener.stats());
    }
    listener.close();
  }

  @Test
  void aBurstLongerThanTheBoundIsAnsweredWithoutPausing() throws Exception {
    // The answers to a burst of requests from one read are written together when the burst has
    // been handed on; at the bound, those held back must go out first, or the burst would pause
    // (and count a pause) on answers that only wait for the burst to end.
    int bound = 4;
    int requests = 100;
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("b.sock")),
        LISTEN.withLimits(LONG.withMaxPipelined(bound)), c -> (conn, frame) -> conn.send(frame));
    try (RawClient raw = RawClient.connect(listener.endpoint(), 0)) {
      ByteBuffer all = ByteBuffer.allocate(requests * 8);
      for (int i = 0; i < requests; i++) {
        all.put(intFrame(i));
      }
      raw.write(all.array(), WAIT); // one write: the listener reads them as one burst
      for (int i = 0; i < requests; i++) {
        assertEquals(i, ByteBuffer.wrap(raw.readFully(8, WAIT), 4, 4).getInt(), "answers in order");
      }
    }
    assertEquals(0, listener.stats().readPauses(), "answered at once, never paused: " + listener.stats());
    listener.close();
  }

  @Test
  void aClientThatNeverReadsHoldsABoundedQueueAndIsClosedWhenIdle() throws Exception {
    int bound = 4;
    int answerSize = 256 * 1024; // the kernel's buffers hold a few at most
    AtomicInteger seen = new AtomicInteger();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("n.sock")),
        LISTEN.withLimits(LONG.withMaxPipelined(bound).withIdleTimeout(Duration.ofMillis(500))), c -> (conn, frame) -> {
          seen.incrementAndGet();
          conn.send(new byte[answerSize]);
        });
    try (SocketChannel greedy = SocketChannel.open(UnixDomainSocketAddress.of(listener.endpoint().path()))) {
      ByteBuffer all = ByteBuffer.allocate(1000 * 8);
      for (int i = 0; i < 1000; i++) {
        all.put(intFrame(i));
      }
      all.flip();
      while (all.hasRemaining()) {
        greedy.write(all); // 8 KB of requests (fits the buffers), 250 MB of answers if all were served
      }
      // Never reads: the listener must stop, hold what it has, and drop the connection as idle.
      waitUntil("closed as idle", () -> listener.stats().closedIdle() == 1);
    }
    assertTrue(listener.stats().readPauses() >= 1);
    // Unix socket buffers hold well under 16 answers of 256 KB; the bound adds 4 queued ones.
    assertTrue(seen.get() <= bound + 16, "handled while the client read nothing: " + seen.get());
    listener.close();
  }

  @Test
  void aConnectionOverTheCapGetsNoThreadAndNoHandler() throws Exception {
    AtomicInteger connects = new AtomicInteger();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("cap.sock")),
        LISTEN.withLimits(LONG.withMaxConnections(1, 1)), c -> {
          connects.incrementAndGet();
          return (conn, frame) -> conn.send(frame);
        });
    try (RawClient first = RawClient.connect(listener.endpoint(), 0)) {
      first.write(intFrame(1), WAIT);
      first.readFully(8, WAIT);
      assertEquals(1, readerThreads(), "one reader thread for the one admitted connection");
      for (int i = 0; i < 20; i++) {
        try (RawClient over = RawClient.connect(listener.endpoint(), 0)) {
          assertTrue(over.awaitClosed(WAIT), "connection " + i + " over the cap is closed");
        }
      }
      waitUntil("all 20 counted", () -> listener.stats().refusedOverLimit() == 20);
      assertEquals(1, readerThreads(), "no reader thread was started for a refused connection");
      assertEquals(1, connects.get());
      assertEquals(1, listener.stats().active());
      assertEquals(21, listener.stats().accepted());
      first.write(intFrame(2), WAIT);
      assertEquals(2, ByteBuffer.wrap(first.readFully(8, WAIT), 4, 4).getInt(), "the admitted one is still served");
    }
    listener.close();
  }

  private static long readerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("peerlink-unix-conn-in-")).count();
  }
}
