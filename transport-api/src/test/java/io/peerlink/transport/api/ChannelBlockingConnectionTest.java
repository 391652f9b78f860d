package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.peerlink.transport.api.testing.AllocationMeter;
import io.peerlink.transport.api.testing.BlockedThreads;
import io.peerlink.transport.api.testing.TestThread;
import io.peerlink.transport.api.testing.Watchdog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BlockingConnection#over} on real JDK sockets, TCP loopback and Unix domain, with the far
 * end written byte by byte by the test: how the reader copes with headers and payloads cut
 * anywhere, malformed headers, streams that end mid-frame, and a header that announces far more
 * than ever comes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ChannelBlockingConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MAX = 70_000; // more than the connection's 64 KiB read buffer

  /** The address family of the socket pair. */
  enum Family {
    TCP, UNIX
  }

  @TempDir
  Path dir;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** A connection under test and the raw socket at its far end, which the test writes. */
  private record Pair(BlockingConnection client, SocketChannel server, Endpoint endpoint) {

    void write(byte... bytes) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        server.write(b);
      }
    }
  }

  private Pair connect(Family family, FrameFormat format, int maxFrameLength) throws IOException {
    ServerSocketChannel listening;
    SocketChannel dialled;
    Endpoint endpoint;
    if (family == Family.TCP) {
      listening = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      toClose.add(listening);
      int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
      endpoint = Endpoint.tcp("127.0.0.1", port);
      dialled = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } else {
      Path path = dir.resolve("s" + toClose.size() + ".sock");
      listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
      toClose.add(listening);
      endpoint = Endpoint.unix(path);
      dialled = SocketChannel.open(UnixDomainSocketAddress.of(path));
    }
    SocketChannel server = listening.accept();
    toClose.add(server);
    BlockingConnection client = BlockingConnection.over(dialled,
        endpoint, ConnectOptions.of(format).withMaxFrameLength(maxFrameLength), null);
    toClose.add(client);
    return new Pair(client, server, endpoint);
  }

  private static byte[] patterned(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + (i >>> 8));
    }
    return b;
  }

  private static byte[] uint32(long length) {
    return ByteBuffer.allocate(4).putInt((int) length).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Receives within {@link #WAIT}: past it the connection is closed and the test fails saying so. */
  private static byte[] receiveWithin(BlockingConnection c) throws TransportException {
    Watchdog watchdog = Watchdog.arm(WAIT, "closed " + c, c::close);
    byte[] frame;
    try {
      frame = c.receive();
    } catch (TransportException e) {
      watchdog.close(); // throws instead when it fired: that is the failure to report
      throw e;
    }
    watchdog.close();
    return frame;
  }

  private static TransportException receiveFails(BlockingConnection c, TransportException.Kind kind) {
    TransportException e = assertThrows(TransportException.class, () -> receiveWithin(c));
    assertEquals(kind, e.kind(), "kind of " + e);
    return e;
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

  /** A thread the test started, and how its work ended. */

  private static void waitUntilBlockedIn(Thread thread, String method) {
    waitUntil(thread.getName() + " blocks in " + method, () -> BlockedThreads.isBlockedIn(thread, method));
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time the thread has used, or -1 where the JVM does not say. */
  private static long cpuNanos(Thread t) {
    return THREADS.isThreadCpuTimeSupported() ? THREADS.getThreadCpuTime(t.getId()) : -1;
  }

  /**
   * Waits until the reader, blocked in receive when {@code cpuBefore} was taken, has run since (it
   * woke for the bytes just written and read them) and blocks again: the next bytes written then
   * come in a read of their own.
   */
  private static void waitUntilReadAndBlockedAgain(Thread reader, long cpuBefore, CompletableFuture<?> done) {
    waitUntil(reader.getName() + " reads and blocks again", () -> done.isDone()
        || (cpuBefore < 0 || cpuNanos(reader) > cpuBefore) && BlockedThreads.isBlockedIn(reader, "receive"));
  }

  /** The connection's socket is closed: its far end reads the end of the stream (or a reset). */
  private static void assertFarEndSeesClose(Pair p) throws IOException {
    p.server().configureBlocking(false);
    try (Selector selector = Selector.open()) {
      p.server().register(selector, SelectionKey.OP_READ);
      ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        selector.select(100);
        selector.selectedKeys().clear();
        try {
          if (p.server().read(sink) < 0) {
            return;
          }
        } catch (IOException reset) {
          return;
        }
        sink.clear();
      }
    }
    fail("the socket of a closed connection is still open at the far end");
  }

  // ---- tests ----

  @ParameterizedTest
  @EnumSource(Family.class)
  void headersAndPayloadsCutAcrossWritesArriveWhole(Family family) throws Exception {
    for (FrameFormat format : FrameFormat.values()) {
      Pair p = connect(family, format, MAX);
      byte[] payload = patterned(300); // a 2-byte varint header
      byte[] wire = format.encode(payload);
      TestThread<byte[]> reader = TestThread.start("reader-" + family + "-" + format, () -> receiveWithin(p.client()));
      // One byte at a time through the header and the payload's start, then the rest in two; each
      // write waits until the reader has read the one before and blocks again, so each is a read
      // of its own.
      int[] cuts = {1, 2, 3, 4, 5, 6, 150, wire.length};
      int from = 0;
      waitUntilBlockedIn(reader.thread(), "receive");
      for (int cut : cuts) {
        long cpuBefore = cpuNanos(reader.thread());
        p.write(Arrays.copyOfRange(wire, from, cut));
        from = cut;
        if (cut < wire.length) {
          waitUntilReadAndBlockedAgain(reader.thread(), cpuBefore, reader.outcome());
          assertFalse(reader.outcome().isDone(), format + ": a frame returned before its last " + (wire.length - cut)
              + " bytes");
        }
      }
      CompletableFuture<byte[]> received = reader.outcome();
      assertArrayEquals(payload, received.get(WAIT.toMillis(), TimeUnit.MILLISECONDS), format + ": the frame whole");
      assertTrue(p.client().isOpen());
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void framesLargerThanTheReadBufferAndPipelinedFramesArriveWhole(Family family) throws Exception {
    Pair p = connect(family, FrameFormat.UVARINT, 1 << 20);
    byte[] large = patterned(700_000);
    CompletableFuture<Void> written = TestThread.<Void>start("writer-" + family, () -> {
      p.write(FrameFormat.UVARINT.encode(large));
      for (int i = 0; i < 200; i++) {
        p.write(FrameFormat.UVARINT.encode(patterned(i)));
      }
      return null;
    }).outcome();
    assertArrayEquals(large, receiveWithin(p.client()));
    for (int i = 0; i < 200; i++) {
      assertArrayEquals(patterned(i), receiveWithin(p.client()), "frame " + i);
    }
    written.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void malformedHeadersAreBadFramesThatCloseTheConnection(Family family) throws Exception {
    byte[] tenContinuationBytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0};
    byte[] varintOverMax = new byte[3];
    FrameFormat.UVARINT.writeHeader(MAX + 1, varintOverMax, 0);
    record Case(String what, FrameFormat format, byte[] wire) {
    }
    List<Case> cases = List.of(
        new Case("a varint of more than 10 bytes", FrameFormat.UVARINT, tenContinuationBytes),
        new Case("a varint over the maximum", FrameFormat.UVARINT, varintOverMax),
        new Case("a 4-byte length over the maximum", FrameFormat.UINT32_BIG_ENDIAN, uint32(MAX + 1)),
        new Case("a 4-byte length of 2^32 - 1", FrameFormat.UINT32_BIG_ENDIAN, uint32(0xFFFF_FFFFL)),
        // The bad header follows a good frame in the same read.
        new Case("a bad header behind a good frame", FrameFormat.UINT32_BIG_ENDIAN,
            concat(FrameFormat.UINT32_BIG_ENDIAN.encode(new byte[] {7}), uint32(MAX + 1))));
    for (Case c : cases) {
      Pair p = connect(family, c.format(), MAX);
      p.write(c.wire());
      if (c.what().startsWith("a bad header behind")) {
        assertArrayEquals(new byte[] {7}, receiveWithin(p.client()), c.what() + ": the good frame first");
      }
      TransportException bad = receiveFails(p.client(), TransportException.Kind.BAD_FRAME);
      assertTrue(bad.getMessage().contains(p.endpoint().toString()), c.what() + ": names the endpoint: " + bad);
      assertFalse(p.client().isOpen(), c.what() + ": the stream cannot be resynchronised, so it closes");
      assertTrue(p.client().closeFuture().isDone(), c.what());
      receiveFails(p.client(), TransportException.Kind.BAD_FRAME); // every later receive the same
      assertInstanceOf(TransportException.class, failure(p.client().send(new byte[1])), c.what() + ": no send after");
      assertFarEndSeesClose(p);
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void aStreamEndingInsideAFrameIsClosedAndSaysWhere(Family family) throws Exception {
    byte[] halfPayload = concat(uint32(10), new byte[] {1, 2, 3, 4, 5});
    byte[] halfHeader = {0, 0};
    for (byte[] wire : List.of(halfHeader, halfPayload)) {
      Pair p = connect(family, FrameFormat.UINT32_BIG_ENDIAN, MAX);
      p.write(wire);
      p.server().shutdownOutput();
      // CLOSED, as transport-tcp and transport-unix report a peer that closes mid-frame.
      TransportException ended = receiveFails(p.client(), TransportException.Kind.CLOSED);
      assertTrue(ended.getMessage().contains("closed the connection inside a frame header")
          || ended.getMessage().contains("closed the connection after 5 of 10 frame bytes"), ended.getMessage());
      assertFalse(p.client().isOpen());
      receiveFails(p.client(), TransportException.Kind.CLOSED);
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void aCleanEndBetweenFramesIsClosedEveryTime(Family family) throws Exception {
    Pair p = connect(family, FrameFormat.UVARINT, MAX);
    p.write(FrameFormat.UVARINT.encode(new byte[] {1}));
    p.write(FrameFormat.UVARINT.encode(new byte[0]));
    p.server().close();
    assertArrayEquals(new byte[] {1}, receiveWithin(p.client()));
    assertArrayEquals(new byte[0], receiveWithin(p.client()), "an empty frame is a frame, not the end");
    receiveFails(p.client(), TransportException.Kind.CLOSED);
    receiveFails(p.client(), TransportException.Kind.CLOSED);
    assertFalse(p.client().isOpen());
    assertTrue(p.client().closeFuture().isDone());
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void memoryFollowsTheBytesReceivedNotTheLengthAnnounced(Family family) throws Exception {
    assumeTrue(AllocationMeter.isSupported(), "needs HotSpot's per-thread allocation counter");
    int announced = ConnectOptions.DEFAULT_MAX_FRAME_LENGTH; // 16 MiB
    long bound = 1 << 20;
    // Twice each: the first pass may load classes on this thread, the second counts receive alone.
    for (int pass = 0; pass < 2; pass++) {
      // The header alone, then the end of the stream.
      Pair bare = connect(family, FrameFormat.UINT32_BIG_ENDIAN, announced);
      bare.write(uint32(announced));
      bare.server().shutdownOutput();
      AllocationMeter.Measured<byte[]> headerOnly = AllocationMeter.measure(() -> receiveWithin(bare.client()));
      assertEquals(TransportException.Kind.CLOSED,
          assertInstanceOf(TransportException.class, headerOnly.thrown()).kind());

      // The header and 200 KB of the 16 MiB, then the end.
      Pair part = connect(family, FrameFormat.UINT32_BIG_ENDIAN, announced);
      CompletableFuture<Void> written = TestThread.<Void>start("writer-" + family + "-" + pass, () -> {
        part.write(concat(uint32(announced), patterned(200_000)));
        part.server().shutdownOutput();
        return null;
      }).outcome();
      AllocationMeter.Measured<byte[]> partial = AllocationMeter.measure(() -> receiveWithin(part.client()));
      written.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(TransportException.Kind.CLOSED, assertInstanceOf(TransportException.class, partial.thrown()).kind());
      assertTrue(partial.thrown().getMessage().contains("200000 of " + announced), partial.thrown().getMessage());
      if (pass == 1) {
        assertTrue(headerOnly.bytes() < bound, "a bare 16 MiB header cost " + headerOnly.bytes() + " bytes");
        assertTrue(partial.bytes() < bound, "200 KB of a 16 MiB frame cost " + partial.bytes() + " bytes");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void closeFromAnotherThreadEndsABlockedReceiveAndABlockedSend(Family family) throws Exception {
    Pair p = connect(family, FrameFormat.UINT32_BIG_ENDIAN, 1 << 20);
    TestThread<byte[]> receiving = TestThread.start("blocked-reader-" + family, p.client()::receive);
    waitUntilBlockedIn(receiving.thread(), "receive");
    // The far end reads nothing: sends block once the socket buffers are full.
    byte[] mebibyte = new byte[1 << 20];
    TestThread<Throwable> sending = TestThread.start("blocked-sender-" + family, () -> {
      for (int i = 0; i < 64; i++) { // 64 MiB: far above any socket buffer
        CompletableFuture<Void> sent = p.client().send(mebibyte);
        if (sent.isCompletedExceptionally()) {
          return failure(sent);
        }
      }
      return null;
    });
    waitUntil("the sender blocks", () -> sending.outcome().isDone()
        || BlockedThreads.isBlockedIn(sending.thread(), "send"));
    assertFalse(sending.outcome().isDone(), "64 MiB were written to a socket whose far end reads nothing");
    p.client().close();

    ExecutionException r = assertThrows(ExecutionException.class,
        () -> receiving.outcome().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    assertEquals(TransportException.Kind.CLOSED, assertInstanceOf(TransportException.class, r.getCause()).kind());
    Throwable sendFailure = sending.outcome().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(sendFailure, "the blocked send fails");
    assertEquals(TransportException.Kind.CLOSED, assertInstanceOf(TransportException.class, sendFailure).kind());
    assertFalse(p.client().isOpen());
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void sendWritesBeforeItReturnsAndRefusesAnOversizedFrameWithoutClosing(Family family) throws Exception {
    Pair p = connect(family, FrameFormat.UVARINT, MAX);
    CompletableFuture<Void> sent = p.client().send(patterned(MAX)); // larger than the 64 KiB write buffer
    CompletableFuture<byte[]> arrived = TestThread.start("far-end-" + family, () -> {
      ByteBuffer b = ByteBuffer.allocate(3 + MAX);
      while (b.hasRemaining()) {
        if (p.server().read(b) < 0) {
          throw new IOException("ended after " + b.position());
        }
      }
      return b.array();
    }).outcome();
    assertTrue(sent.isDone() && !sent.isCompletedExceptionally(), "over a socket channel, send has written");
    assertArrayEquals(FrameFormat.UVARINT.encode(patterned(MAX)), arrived.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

    TransportException tooLong = assertInstanceOf(TransportException.class, failure(p.client().send(new byte[MAX + 1])));
    assertEquals(TransportException.Kind.BAD_FRAME, tooLong.kind());
    assertTrue(p.client().isOpen(), "an oversized frame is refused before anything is written");
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void aChannelThatCannotBlockIsRefusedAndClosed(Family family) throws Exception {
    Pair p = connect(family, FrameFormat.UVARINT, MAX); // for a second connection to the same listener
    SocketChannel channel = family == Family.TCP
        ? SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), p.endpoint().port()))
        : SocketChannel.open(UnixDomainSocketAddress.of(p.endpoint().path()));
    toClose.add(channel);
    Selector selector = Selector.open();
    toClose.add(selector);
    channel.configureBlocking(false);
    channel.register(selector, SelectionKey.OP_READ); // a registered channel cannot be made blocking
    TransportException refused = assertThrows(TransportException.class,
        () -> BlockingConnection.over(channel, p.endpoint(), ConnectOptions.of(FrameFormat.UVARINT), null));
    assertEquals(TransportException.Kind.IO, refused.kind());
    assertFalse(channel.isOpen(), "the connection owned the channel: it closes it when it cannot use it");
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    return fail("expected a failure");
  }
}
