package io.peerlink.transport.unix;

import static io.peerlink.transport.unix.UnixTestSupport.CONNECT;
import static io.peerlink.transport.unix.UnixTestSupport.LISTEN;
import static io.peerlink.transport.unix.UnixTestSupport.WAIT;
import static io.peerlink.transport.unix.UnixTestSupport.ask;
import static io.peerlink.transport.unix.UnixTestSupport.await;
import static io.peerlink.transport.unix.UnixTestSupport.awaitFailure;
import static io.peerlink.transport.unix.UnixTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.testing.BlockedThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unix-specific behaviour of connections: credentials, connect errors, bad input, backpressure. */
class UnixConnectionTest {

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

  @Test
  void peerCredentialsAreThisProcess() throws Exception {
    CompletableFuture<Connection> accepted = new CompletableFuture<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("cred.sock")), LISTEN, c -> {
      accepted.complete(c);
      return (conn, frame) -> conn.send(frame);
    });
    Connection client = await(transport.connect(listener.endpoint(), CONNECT, (c, f) -> { }));
    long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
    PeerCredentials expected = new PeerCredentials(ProcessHandle.current().pid(), uid, gid);

    PeerCredentials seenByServer = await(accepted).peerCredentials().orElseThrow();
    assertEquals(expected, seenByServer, "the listener sees the dialling process");
    assertEquals(expected, client.peerCredentials().orElseThrow(), "the dialler sees the listening process");
    client.close();
    listener.close();
  }

  @Test
  void connectingWhereNoFileIsIsRefusedNamingTheEndpoint() throws Exception {
    Endpoint nowhere = Endpoint.unix(dir.resolve("nobody.sock"));
    TransportException e = (TransportException) awaitFailure(transport.connect(nowhere, CONNECT, (c, f) -> { }));
    assertEquals(TransportException.Kind.REFUSED, e.kind());
    assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("no socket file"), e.getMessage());
  }

  @Test
  void connectingToAStaleSocketFileIsRefused() throws Exception {
    Path path = dir.resolve("stale.sock");
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(path));
    }
    TransportException e = (TransportException) awaitFailure(
        transport.connect(Endpoint.unix(path), CONNECT, (c, f) -> { }));
    assertEquals(TransportException.Kind.REFUSED, e.kind());
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  @Test
  void connectingToARegularFileSaysSo() throws Exception {
    Path path = dir.resolve("file.sock");
    Files.writeString(path, "not a socket");
    TransportException e = (TransportException) awaitFailure(
        transport.connect(Endpoint.unix(path), CONNECT, (c, f) -> { }));
    assertEquals(TransportException.Kind.REFUSED, e.kind());
    assertTrue(e.getMessage().contains("regular file"), e.getMessage());
  }

  @Test
  void connectingToAListenerThatNeverAcceptsTimesOut() throws Exception {
    Path path = dir.resolve("full.sock");
    try (ServerSocketChannel neverAccepts = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      neverAccepts.bind(UnixDomainSocketAddress.of(path), 1);
      ConnectOptions quick = CONNECT.withConnectTimeout(Duration.ofMillis(300));
      List<Connection> queued = new ArrayList<>();
      TransportException timedOut = null;
      long elapsedMs = 0;
      for (int i = 0; i < 10 && timedOut == null; i++) { // the backlog holds one or two
        long start = System.nanoTime();
        CompletableFuture<Connection> f = transport.connect(Endpoint.unix(path), quick, (c, fr) -> { });
        try {
          queued.add(await(f));
        } catch (TransportException e) {
          timedOut = e;
          elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
      }
      assertNotNull(timedOut, "a connect to a full backlog fails");
      assertEquals(TransportException.Kind.TIMED_OUT, timedOut.kind(), timedOut.getMessage());
      assertTrue(timedOut.getMessage().contains(path.toString()), timedOut.getMessage());
      assertTrue(elapsedMs < 300 + 2_000, "within the connect timeout, took " + elapsedMs + " ms");

      // Listening there is refused too: the probe gets no answer in time, so the path is in use.
      TransportException bind = assertThrows(TransportException.class,
          () -> transport.listen(Endpoint.unix(path), LISTEN, c -> (conn, fr) -> { }));
      assertEquals(TransportException.Kind.BIND_FAILED, bind.kind());
      assertTrue(Files.exists(path));
      queued.forEach(Connection::close);
    }
  }

  @Test
  void aTcpEndpointIsNotServed() throws Exception {
    Throwable e = awaitFailure(transport.connect(Endpoint.parse("tcp://127.0.0.1:9"), CONNECT, (c, f) -> { }));
    assertInstanceOf(TransportException.class, e);
    assertEquals(TransportException.Kind.UNSUPPORTED, ((TransportException) e).kind());
  }

  @Test
  void aMalformedHeaderFromARawClientClosesOnlyThatConnection() throws Exception {
    CompletableFuture<Throwable> serverClose = new CompletableFuture<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("raw.sock")), LISTEN.withMaxFrameLength(1000),
        c -> new FrameHandler() {
          @Override
          public void onFrame(Connection conn, byte[] frame) {
            conn.send(frame);
          }

          @Override
          public void onClose(Connection conn, Throwable cause) {
            if (cause != null) {
              serverClose.complete(cause);
            }
          }
        });
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(listener.endpoint().path()))) {
      raw.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3}));
      Throwable cause = serverClose.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertInstanceOf(TransportException.class, cause);
      assertEquals(TransportException.Kind.BAD_FRAME, ((TransportException) cause).kind());
      assertTrue(cause.getMessage().contains(listener.endpoint().toString()), cause.getMessage());
      assertTrue(cause.getMessage().contains("1000"), cause.getMessage());
      assertEquals(-1, raw.read(ByteBuffer.allocate(16)), "the server closed the raw connection");
    }
    assertEquals("after", ask(transport, listener, "after"), "the listener goes on");
    listener.close();
  }

  @Test
  void sendNeverBlocksWhenThePeerDoesNotRead() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("slow.sock")), LISTEN, c -> (conn, frame) -> {
      release.await(); // the peer stops reading until released
      received.add(frame);
    });
    Connection client = await(transport.connect(listener.endpoint(), CONNECT, (c, f) -> { }));
    int frameSize = 64 * 1024;
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    boolean queued = false;
    // Far more than a socket buffer holds; bounded so the test ends either way.
    for (int i = 0; i < 400 && !queued; i++) {
      byte[] frame = new byte[frameSize];
      ByteBuffer.wrap(frame).putInt(i);
      CompletableFuture<Void> f = client.send(frame);
      sends.add(f);
      queued = !f.isDone();
    }
    assertTrue(queued, "once the socket buffer is full, send queues the frame instead of blocking");
    release.countDown();
    for (CompletableFuture<Void> f : sends) {
      await(f);
    }
    for (int i = 0; i < sends.size(); i++) {
      byte[] frame = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(frameSize, frame.length);
      assertEquals(i, ByteBuffer.wrap(frame).getInt(), "frames arrive whole and in order");
    }
    client.close();
    listener.close();
  }

  @Test
  void framesAnotherThreadSendsWhileTheReaderWaitsAllArriveWithoutThePeerSendingAgain() throws Exception {
    // The accepted connection's reader waits in a blocking read, which only bytes from the peer
    // end. Frames another thread sends meanwhile, more than the socket buffers hold, must still be
    // written as the peer makes room, though the peer sends nothing more: it waits for them.
    int frames = 64;
    int frameSize = 64 * 1024;
    CompletableFuture<List<CompletableFuture<Void>>> sends = new CompletableFuture<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("push.sock")), LISTEN, c -> (conn, frame) -> {
      Thread pusher = new Thread(() -> {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
          byte[] f = new byte[frameSize];
          ByteBuffer.wrap(f).putInt(i);
          futures.add(conn.send(f));
        }
        sends.complete(futures);
      }, "pusher");
      pusher.start();
    });
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(listener.endpoint().path()))) {
      raw.write(ByteBuffer.wrap(LISTEN.format().encode(bytes("go"))));
      List<CompletableFuture<Void>> futures = sends.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertFalse(futures.get(frames - 1).isDone(), "4 MiB do not fit in the socket buffers: the last frame waits");
      assertNumberedFrames(readFrames(raw, frames), frameSize);
      for (CompletableFuture<Void> f : futures) {
        await(f);
      }
    }
    listener.close();
  }

  @Test
  void answersToABurstGoOutTogetherAfterItAndInTheOrderTheyWereSent() throws Exception {
    // Three requests in one write reach the server in one read: their answers are held until the
    // third has been handled, then written together. A frame another thread sends in the middle
    // of the burst keeps its place between the answers sent before and after it.
    List<Boolean> doneAtReturn = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> sends = new CopyOnWriteArrayList<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("burst.sock")), LISTEN, c -> (conn, frame) -> {
      CompletableFuture<Void> answer = conn.send(frame);
      doneAtReturn.add(answer.isDone());
      sends.add(answer);
      if (new String(frame, StandardCharsets.UTF_8).equals("a")) {
        Thread other = new Thread(() -> sends.add(conn.send(bytes("from another thread"))), "other-sender");
        other.start();
        other.join();
      }
    });
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(listener.endpoint().path()))) {
      ByteBuffer burst = ByteBuffer.allocate(3 * 5);
      for (String r : List.of("a", "b", "c")) {
        burst.put(LISTEN.format().encode(bytes(r)));
      }
      raw.write(burst.flip());
      List<String> answers = readFrames(raw, 4).stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
      assertEquals(List.of("a", "from another thread", "b", "c"), answers);
    }
    assertEquals(List.of(false, false, false), doneAtReturn, "held until the burst was handed on");
    for (CompletableFuture<Void> f : sends) {
      await(f);
    }
    listener.close();
  }

  @Test
  void aSendChainedOnTheFlushersCompletionIsFlushedToo() throws Exception {
    // Each frame is sent when the one before it has been written, so the next send runs on the
    // write flusher's thread, right after it gave up the connection's registration (its queue was
    // empty). The reader still waits in its blocking read: the flusher must take the connection
    // again at once, or the frame waits for bytes the peer will never send.
    int frames = 16;
    int frameSize = 1024 * 1024; // more than the socket buffers hold: every frame waits for room
    CompletableFuture<Void> allSent = new CompletableFuture<>();
    CompletableFuture<Connection> accepted = new CompletableFuture<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("chain.sock")), LISTEN, c -> {
      accepted.complete(c);
      return (conn, frame) -> { };
    });
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(listener.endpoint().path()))) {
      Connection server = await(accepted);
      waitUntilTheReaderBlocksInRead();
      new Object() {
        void send(int i) {
          byte[] f = new byte[frameSize];
          ByteBuffer.wrap(f).putInt(i);
          server.send(f).whenComplete((ok, e) -> {
            if (e != null) {
              allSent.completeExceptionally(e);
            } else if (i + 1 < frames) {
              send(i + 1);
            } else {
              allSent.complete(null);
            }
          });
        }
      }.send(0);
      assertNumberedFrames(readFrames(raw, frames), frameSize);
      await(allSent);
    }
    listener.close();
  }

  /**
   * The payloads of the next {@code count} frames on {@code raw}; fails once {@link
   * UnixTestSupport#WAIT} has passed without them (the channel is closed to end the read).
   */
  private static List<byte[]> readFrames(SocketChannel raw, int count) throws Exception {
    CompletableFuture<List<byte[]>> read = CompletableFuture.supplyAsync(() -> {
      List<byte[]> frames = new ArrayList<>();
      try {
        while (frames.size() < count) {
          ByteBuffer header = readFully(raw, ByteBuffer.allocate(4), frames.size());
          frames.add(readFully(raw, ByteBuffer.allocate(header.getInt(0)), frames.size()).array());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return frames;
    });
    try {
      return read.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      raw.close();
      throw new AssertionError("not all " + count + " frames arrived within " + WAIT, e);
    }
  }

  /** Frames of {@code size} bytes, each starting with its number, 0 first. */
  private static void assertNumberedFrames(List<byte[]> frames, int size) {
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(size, frames.get(i).length, "frame " + i + "'s length");
      assertEquals(i, ByteBuffer.wrap(frames.get(i)).getInt(), "frames arrive whole and in order");
    }
  }

  private static ByteBuffer readFully(SocketChannel raw, ByteBuffer into, int frame) throws IOException {
    while (into.hasRemaining()) {
      if (raw.read(into) < 0) {
        throw new IllegalStateException("the server closed before frame " + frame + " was whole");
      }
    }
    return into;
  }

  /**
   * Waits until the accepted connection's reader thread is in a blocking read, not in its selector
   * (a selector's wait is a native call inside a method named select, as junixsocket's and the
   * JDK's are).
   */
  private static void waitUntilTheReaderBlocksInRead() {
    UnixAccessPolicyTest.waitUntil("the accepted connection's reader waits in a blocking read",
        () -> Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("peerlink-unix-conn-in-"))
            .anyMatch(t -> BlockedThreads.isBlockedIn(t, "readFrames") && !BlockedThreads.isBlockedIn(t, "select")));
  }

  @Test
  void sendingToAPeerThatHasGoneSaysSoInTheCloseCause() throws Exception {
    CountDownLatch peerGone = new CountDownLatch(1);
    CompletableFuture<Throwable> serverClose = new CompletableFuture<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("gone.sock")), LISTEN, c -> new FrameHandler() {
      @Override
      public void onFrame(Connection conn, byte[] frame) throws Exception {
        peerGone.await();
        conn.send(frame);
      }

      @Override
      public void onClose(Connection conn, Throwable cause) {
        serverClose.complete(cause);
      }
    });
    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(listener.endpoint().path()))) {
      raw.write(ByteBuffer.wrap(LISTEN.format().encode(bytes("hello"))));
    }
    peerGone.countDown();
    Throwable cause = serverClose.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertInstanceOf(TransportException.class, cause);
    assertEquals(TransportException.Kind.CLOSED, ((TransportException) cause).kind());
    assertTrue(cause.getMessage().contains("the peer has closed the connection"), cause.getMessage());
    assertFalse(cause.getMessage().contains("null"), cause.getMessage());
    listener.close();
  }

  @Test
  void queuedFramesFailWhenTheConnectionCloses() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("stuck.sock")), LISTEN,
        c -> (conn, frame) -> release.await());
    Connection client = await(transport.connect(listener.endpoint(), CONNECT, (c, f) -> { }));
    CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    for (int i = 0; i < 400 && last.isDone(); i++) {
      last = client.send(new byte[64 * 1024]);
    }
    assertFalse(last.isDone(), "a frame is queued");
    client.close();
    Throwable e = awaitFailure(last);
    assertInstanceOf(TransportException.class, e);
    assertEquals(TransportException.Kind.CLOSED, ((TransportException) e).kind());
    release.countDown();
    listener.close();
  }

  @Test
  void largeFramesBothWaysAtOnce() throws Exception {
    // Both sides write big frames while the other is writing too: neither may stall.
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("big.sock")), LISTEN,
        c -> (conn, frame) -> conn.send(frame));
    LinkedBlockingQueue<byte[]> echoes = new LinkedBlockingQueue<>();
    Connection client = await(transport.connect(listener.endpoint(), CONNECT, (c, f) -> echoes.add(f)));
    int n = 100;
    byte[] frame = new byte[1024 * 1024];
    for (int i = 0; i < n; i++) {
      ByteBuffer.wrap(frame).putInt(i);
      client.send(frame.clone());
    }
    for (int i = 0; i < n; i++) {
      byte[] echo = echoes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(frame.length, echo.length, "echo " + i);
      assertEquals(i, ByteBuffer.wrap(echo).getInt());
    }
    client.close();
    listener.close();
  }

  @Test
  void aConnectionClosedFromItsOwnHandlerEndsCleanly() throws Exception {
    AtomicReference<Throwable> clientClose = new AtomicReference<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("self.sock")), LISTEN,
        c -> (conn, frame) -> conn.send(frame));
    CompletableFuture<Void> handled = new CompletableFuture<>();
    Connection client = await(transport.connect(listener.endpoint(), CONNECT, new FrameHandler() {
      @Override
      public void onFrame(Connection conn, byte[] frame) {
        conn.close();
        handled.complete(null);
      }

      @Override
      public void onClose(Connection conn, Throwable cause) {
        clientClose.set(cause);
      }
    }));
    client.send(new byte[] {1});
    await(handled);
    await(client.closeFuture());
    assertFalse(client.isOpen());
    assertEquals(null, clientClose.get(), "an orderly close has no cause");
    assertArrayEquals(new byte[] {2}, UnixTestSupport.bytes(ask(transport, listener, "\u0002")));
    listener.close();
  }
}
