package io.peerlink.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the test kit does not cover because it is TCP's own: ports, address families, names,
 * socket options, errors of the TCP stack, and wire bytes seen by a plain JDK socket. Each test
 * runs on both I/O modes. Loopback only.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TcpSpecificBehaviourTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final FrameFormat U32 = FrameFormat.UINT32_BIG_ENDIAN;

  private Transport transport;

  @AfterEach
  void closeTransport() {
    if (transport != null) {
      transport.close();
    }
  }

  private Transport transport(IoMode mode) {
    transport = new TcpTransportProvider(mode).create();
    return transport;
  }

  private static Listener echo(Transport t, String endpoint, FrameFormat format) throws TransportException {
    return t.listen(Endpoint.parse(endpoint), ListenOptions.of(format), c -> (conn, frame) -> conn.send(frame));
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  private static TransportException failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(TransportException.class, e.getCause());
    }
    return fail("expected a failure, got success");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertEchoes(Transport t, Endpoint endpoint) throws Exception {
    try (RequestClient client = await(RequestClient.connect(t, endpoint, ConnectOptions.of(U32)))) {
      assertArrayEquals(bytes("ping " + endpoint), await(client.call(bytes("ping " + endpoint), WAIT)));
    }
  }

  private static boolean ipv6LoopbackWorks() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---- listening ----

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void portZeroTakesAnEphemeralPortAndReportsIt(IoMode mode) throws Exception {
    Listener l = echo(transport(mode), "tcp://127.0.0.1:0", U32);
    assertEquals("127.0.0.1", l.endpoint().host());
    assertNotEquals(0, l.endpoint().port(), "the listener reports the port it got, not 0");
    assertEquals(l.endpoint().port(), ((InetSocketAddress) ((TcpListener) l).serverChannel().localAddress()).getPort());

    // A plain blocking JDK socket speaks the same wire format: proves the bytes, not just the API.
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.endpoint().port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      s.getOutputStream().write(U32.encode(bytes("raw")));
      assertArrayEquals(bytes("raw"), U32.readFrame(s.getInputStream(), 1024));
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void ipv6LoopbackListensAndConnects(IoMode mode) throws Exception {
    assumeTrue(ipv6LoopbackWorks(), "this machine has no IPv6 loopback (cannot bind ::1)");
    Transport t = transport(mode);
    AtomicReference<Endpoint> remote = new AtomicReference<>();
    Listener l = t.listen(Endpoint.parse("tcp://[::1]:0"), ListenOptions.of(U32), c -> {
      remote.set(c.remote());
      return (conn, frame) -> conn.send(frame);
    });
    assertEquals("::1", l.endpoint().host());
    assertTrue(l.endpoint().toString().startsWith("tcp://[::1]:"), l.endpoint().toString());
    assertEchoes(t, l.endpoint());
    assertEquals("::1", remote.get().host(), "an accepted connection names its IPv6 peer");
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void wildcardAddressesAcceptLoopbackConnections(IoMode mode) throws Exception {
    Transport t = transport(mode);
    Listener any4 = echo(t, "tcp://0.0.0.0:0", U32);
    assertEquals("0.0.0.0", any4.endpoint().host());
    assertEchoes(t, Endpoint.tcp("127.0.0.1", any4.endpoint().port()));
    if (ipv6LoopbackWorks()) {
      Listener any6 = echo(t, "tcp://[::]:0", U32);
      assertEchoes(t, Endpoint.tcp("::1", any6.endpoint().port()));
      assertEchoes(t, Endpoint.tcp("127.0.0.1", any6.endpoint().port())); // dual stack
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void bindingAPortInUseFailsWithBindFailedNamingTheEndpoint(IoMode mode) throws Exception {
    Transport t = transport(mode);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Endpoint busy = Endpoint.tcp("127.0.0.1", taken.getLocalPort());
      TransportException e = assertThrows(TransportException.class, () -> echo(t, busy.toString(), U32));
      assertEquals(Kind.BIND_FAILED, e.kind());
      assertEquals(busy, e.endpoint());
      assertTrue(e.getMessage().contains(busy.toString()), e.getMessage());
      assertTrue(e.getMessage().toLowerCase().contains("in use"), "says why: " + e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void listenerSocketHasReuseAddressSoItsPortCanBeBoundAgainAtOnce(IoMode mode) throws Exception {
    Listener l = echo(transport(mode), "tcp://127.0.0.1:0", U32);
    assertEquals(Boolean.TRUE, ((TcpListener) l).serverChannel().config().getOption(ChannelOption.SO_REUSEADDR));
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aClosedListenersPortCanBeBoundAgainTheMomentCloseReturns(IoMode mode) throws Exception {
    Transport t = transport(mode);
    // Close returns only once the port is free: NIO closes a registered socket at the selector's
    // next select, after the close future has completed. Each round binds the port again at once.
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 200 && failures.size() < 5; i++) {
      Listener first = echo(t, "tcp://127.0.0.1:0", U32);
      Endpoint bound = first.endpoint();
      first.close();
      try {
        t.listen(bound, ListenOptions.of(U32), c -> (conn, frame) -> { }).close();
      } catch (TransportException e) {
        failures.add("round " + i + ": " + e.getMessage());
      }
    }
    assertEquals(List.of(), failures);
  }

  // ---- connecting ----

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aDnsNameIsResolvedWhenConnecting(IoMode mode) throws Exception {
    Transport t = transport(mode);
    Listener l = echo(t, "tcp://127.0.0.1:0", U32);
    // localhost may resolve to ::1 first; the transport then tries the next address.
    assertEchoes(t, Endpoint.parse("tcp://localhost:" + l.endpoint().port()));
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void connectingWhereNothingListensIsRefusedQuickly(IoMode mode) throws Exception {
    Transport t = transport(mode);
    Endpoint dead = Endpoint.tcp("127.0.0.1", TcpTransportTest.freePort());
    long start = System.nanoTime();
    TransportException e = failure(t.connect(dead, ConnectOptions.of(U32).withConnectTimeout(Duration.ofSeconds(10)),
        (c, f) -> { }));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Kind.REFUSED, e.kind(), e.getMessage());
    assertEquals(dead, e.endpoint());
    assertTrue(e.getMessage().contains(dead.toString()) && e.getMessage().contains("refused"), e.getMessage());
    assertTrue(tookMs < 2_000, "refused at once, not after the 10 s timeout: took " + tookMs + " ms");
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aConnectThatHangsFailsTimedOutAfterTheConnectTimeout(IoMode mode) throws Exception {
    Transport t = transport(mode);
    // A listener that never accepts, with a backlog of 1: once its queue is full the kernel drops
    // further SYNs, so a connect hangs, as it would to a host that does not answer.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = new ArrayList<>();
      boolean hangs = false;
      try {
        for (int i = 0; i < 8 && !hangs; i++) {
          Socket s = new Socket();
          queued.add(s);
          try {
            s.connect(full.getLocalSocketAddress(), 300);
          } catch (SocketTimeoutException expected) {
            hangs = true;
          }
        }
        assumeTrue(hangs, "the kernel kept completing connections to a full backlog; cannot make a connect hang");
        Endpoint silent = Endpoint.tcp("127.0.0.1", full.getLocalPort());
        long start = System.nanoTime();
        TransportException e = failure(t.connect(silent,
            ConnectOptions.of(U32).withConnectTimeout(Duration.ofMillis(500)), (c, f) -> { }));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(Kind.TIMED_OUT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(silent.toString()) && e.getMessage().contains("500 ms"), e.getMessage());
        assertTrue(tookMs >= 400 && tookMs < 3_000, "failed after about the 500 ms timeout: " + tookMs + " ms");
      } finally {
        for (Socket s : queued) {
          s.close();
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void portZeroIsRefusedForConnecting(IoMode mode) throws Exception {
    Endpoint zero = Endpoint.parse("tcp://127.0.0.1:0");
    TransportException e = failure(transport(mode).connect(zero, ConnectOptions.of(U32), (c, f) -> { }));
    assertEquals(zero, e.endpoint());
    assertTrue(e.getMessage().contains("port 0"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aClosedTransportRefusesNewWork(IoMode mode) throws Exception {
    Transport t = transport(mode);
    t.close();
    Endpoint somewhere = Endpoint.tcp("127.0.0.1", 9);
    assertEquals(Kind.CLOSED, failure(t.connect(somewhere, ConnectOptions.of(U32), (c, f) -> { })).kind());
    assertEquals(Kind.CLOSED, assertThrows(TransportException.class, () -> echo(t, "tcp://127.0.0.1:0", U32)).kind());
    t.close(); // idempotent
  }

  @org.junit.jupiter.api.Test
  void nioAndNativeWordingsOfRefusalAndTimeoutAreMapped() {
    // Native epoll words a refusal differently from NIO ("Connection refused").
    InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 19201);
    Endpoint e = Endpoint.tcp("127.0.0.1", 19201);
    assertEquals(Kind.REFUSED,
        ConnectErrors.map(e, at, new ConnectException("finishConnect(..) failed: Connection refused"), 5000).kind());
    assertEquals(Kind.REFUSED, ConnectErrors.map(e, at, new ConnectException("Connection refused"), 5000).kind());
    assertEquals(Kind.IO,
        ConnectErrors.map(e, at, new ConnectException("connect(..) failed: Network is unreachable"), 5000).kind());
    assertEquals(Kind.TIMED_OUT,
        ConnectErrors.map(e, at, new io.netty.channel.ConnectTimeoutException("timed out"), 5000).kind());
  }

  // ---- DNS names, with a stand-in resolver: no lookup leaves the machine ----

  /** Answers from a table; other names are unknown; "hang.test" blocks until {@code release}. */
  private static HostResolver fakeDns(Map<String, InetAddress[]> table, CountDownLatch release, AtomicInteger lookups) {
    return new HostResolver() {
      @Override
      InetAddress[] lookup(String host) throws UnknownHostException {
        lookups.incrementAndGet();
        if (host.equals("hang.test")) {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        InetAddress[] a = table.get(host);
        if (a == null) {
          throw new UnknownHostException(host + ": Name or service not known");
        }
        return a;
      }
    };
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void anUnknownHostFailsWithIoNamingTheHost(IoMode mode) throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    transport = new TcpTransport(mode, fakeDns(Map.of(), new CountDownLatch(0), lookups));
    Endpoint ghost = Endpoint.parse("tcp://no-such-peer.test:19201");
    TransportException e = failure(transport.connect(ghost, ConnectOptions.of(U32), (c, f) -> { }));
    assertEquals(Kind.IO, e.kind());
    assertEquals(ghost, e.endpoint());
    assertTrue(e.getMessage().startsWith(ghost + ": unknown host 'no-such-peer.test'"), e.getMessage());
    assertEquals(1, lookups.get(), "looked up when connecting");
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aLookupThatHangsCountsAgainstTheConnectTimeout(IoMode mode) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    transport = new TcpTransport(mode, fakeDns(Map.of(), release, new AtomicInteger()));
    try {
      Endpoint slow = Endpoint.parse("tcp://hang.test:19201");
      long start = System.nanoTime();
      TransportException e = failure(transport.connect(slow,
          ConnectOptions.of(U32).withConnectTimeout(Duration.ofMillis(300)), (c, f) -> { }));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(Kind.TIMED_OUT, e.kind(), e.getMessage());
      assertTrue(tookMs < 3_000, "gave up after about the 300 ms timeout, took " + tookMs + " ms");
    } finally {
      release.countDown();
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void whenOneAddressOfANameRefusesTheNextIsTried(IoMode mode) throws Exception {
    // 127.0.0.2 is loopback too on Linux, but the listener is bound to 127.0.0.1 only.
    InetAddress[] twoHomed = {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")};
    transport = new TcpTransport(mode, fakeDns(Map.of("two-homed.test", twoHomed), new CountDownLatch(0),
        new AtomicInteger()));
    Listener l = echo(transport, "tcp://127.0.0.1:0", U32);
    assertEchoes(transport, Endpoint.parse("tcp://two-homed.test:" + l.endpoint().port()));
  }

  // ---- the connection ----

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void noDelayAndKeepAliveAreSetOnBothEnds(IoMode mode) throws Exception {
    Transport t = transport(mode);
    CompletableFuture<Connection> accepted = new CompletableFuture<>();
    Listener l = t.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(U32), c -> {
      accepted.complete(c);
      return (conn, frame) -> { };
    });
    Connection client = await(t.connect(l.endpoint(), ConnectOptions.of(U32), (c, f) -> { }));
    for (Connection c : List.of(client, await(accepted))) {
      Channel ch = ((TcpConnection) c).channel(); // the option is read back from the socket
      assertEquals(Boolean.TRUE, ch.config().getOption(ChannelOption.TCP_NODELAY), "TCP_NODELAY on " + c);
      assertEquals(Boolean.TRUE, ch.config().getOption(ChannelOption.SO_KEEPALIVE), "SO_KEEPALIVE on " + c);
    }
    assertEquals(mode == IoMode.EPOLL ? "EpollSocketChannel" : "NioSocketChannel",
        ((TcpConnection) client).channel().getClass().getSimpleName());
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void anAcceptedConnectionNamesItsPeer(IoMode mode) throws Exception {
    Transport t = transport(mode);
    CompletableFuture<Endpoint> remote = new CompletableFuture<>();
    Listener l = t.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(U32), c -> {
      remote.complete(c.remote());
      return (conn, frame) -> { };
    });
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.endpoint().port())) {
      assertEquals(Endpoint.tcp("127.0.0.1", s.getLocalPort()), await(remote));
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aMalformedHeaderClosesTheConnectionWithBadFrame(IoMode mode) throws Exception {
    Transport t = transport(mode);
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    AtomicInteger frames = new AtomicInteger();
    Listener l = t.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(FrameFormat.UVARINT), c ->
        new FrameHandler() {
          @Override
          public void onFrame(Connection conn, byte[] frame) {
            frames.incrementAndGet();
          }

          @Override
          public void onClose(Connection conn, Throwable cause) {
            closed.complete(cause);
          }
        });
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.endpoint().port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(FrameFormat.UVARINT.encode(bytes("fine")));
      byte[] endless = new byte[11]; // a varint that never ends: every continuation bit set
      java.util.Arrays.fill(endless, (byte) 0xFF);
      out.write(endless);
      Throwable cause = closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      TransportException te = assertInstanceOf(TransportException.class, cause);
      assertEquals(Kind.BAD_FRAME, te.kind());
      assertTrue(te.getMessage().contains("tcp://127.0.0.1:" + s.getLocalPort()), "names the peer: " + te.getMessage());
      assertEquals(1, frames.get(), "the good frame before it was delivered");
      assertEquals(-1, s.getInputStream().read(), "the server closed the socket");
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aPeerThatStopsInsideAFrameIsReported(IoMode mode) throws Exception {
    Transport t = transport(mode);
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    Listener l = t.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(U32), c -> new FrameHandler() {
      @Override
      public void onFrame(Connection conn, byte[] frame) {
      }

      @Override
      public void onClose(Connection conn, Throwable cause) {
        closed.complete(cause);
      }
    });
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.endpoint().port())) {
      s.getOutputStream().write(ByteBuffer.allocate(14).putInt(100).put(new byte[10]).array());
    }
    TransportException te = assertInstanceOf(TransportException.class, closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    assertEquals(Kind.CLOSED, te.kind());
    assertTrue(te.getMessage().contains("inside a frame"), te.getMessage());
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void anOrderlyCloseByThePeerHasNoCause(IoMode mode) throws Exception {
    Transport t = transport(mode);
    CompletableFuture<Connection> accepted = new CompletableFuture<>();
    Listener l = t.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(U32), c -> {
      accepted.complete(c);
      return (conn, frame) -> { };
    });
    CompletableFuture<Throwable> closed = new CompletableFuture<>();
    Connection c = await(t.connect(l.endpoint(), ConnectOptions.of(U32), new FrameHandler() {
      @Override
      public void onFrame(Connection conn, byte[] frame) {
      }

      @Override
      public void onClose(Connection conn, Throwable cause) {
        closed.complete(cause);
      }
    }));
    await(accepted); // closing a listener resets connections it has not accepted yet
    l.close(); // closes the accepted side
    assertNull(closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    assertTrue(!c.isOpen());
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void framesSentFromManyThreadsArriveWholeAndInEachSendersOrder(IoMode mode) throws Exception {
    Transport t = transport(mode);
    int senders = 4;
    int perSender = 2_000;
    ConcurrentHashMap<Integer, Integer> lastSeq = new ConcurrentHashMap<>();
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger received = new AtomicInteger();
    // A one-way stream: nothing is answered, and the pipelining bound counts frames not yet
    // answered, so it must exceed the frames sent or the listener stops reading at the bound.
    ListenOptions oneWay = ListenOptions.of(FrameFormat.UVARINT)
        .withLimits(ListenerLimits.DEFAULTS.withMaxPipelined(senders * perSender));
    Listener l = t.listen(Endpoint.parse("tcp://127.0.0.1:0"), oneWay, c ->
        (conn, frame) -> {
          ByteBuffer b = ByteBuffer.wrap(frame);
          int sender = b.getInt();
          int seq = b.getInt();
          for (int i = 8; i < frame.length; i++) {
            if (frame[i] != (byte) (sender + seq + i)) {
              problems.add("sender " + sender + " frame " + seq + " corrupt at byte " + i);
              break;
            }
          }
          Integer prev = lastSeq.put(sender, seq);
          if (prev != null && prev != seq - 1) {
            problems.add("sender " + sender + ": frame " + seq + " after " + prev);
          }
          received.incrementAndGet();
        });
    Connection c = await(t.connect(l.endpoint(), ConnectOptions.of(FrameFormat.UVARINT), (conn, f) -> { }));
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<Future<CompletableFuture<Void>>> lastSends = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int sender = s;
        lastSends.add(pool.submit(() -> {
          CompletableFuture<Void> last = null;
          for (int seq = 0; seq < perSender; seq++) {
            byte[] frame = new byte[8 + (seq * 37 % 300)]; // 8 to 307 bytes: 1- and 2-byte varint headers
            ByteBuffer.wrap(frame).putInt(sender).putInt(seq);
            for (int i = 8; i < frame.length; i++) {
              frame[i] = (byte) (sender + seq + i);
            }
            last = c.send(frame);
          }
          return last;
        }));
      }
      for (Future<CompletableFuture<Void>> f : lastSends) {
        await(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    Awaitility.await("every frame received").atMost(WAIT).pollInterval(Duration.ofMillis(2))
        .until(() -> received.get() >= senders * perSender);
    assertEquals(List.of(), problems);
    assertEquals(senders * perSender, received.get());
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aTenMegabyteFrameMakesTheRoundTrip(IoMode mode) throws Exception {
    Transport t = transport(mode);
    Listener l = echo(t, "tcp://127.0.0.1:0", U32);
    byte[] big = new byte[10 * 1024 * 1024];
    for (int i = 0; i < big.length; i += 4096) {
      big[i] = (byte) (i >>> 12);
    }
    try (RequestClient client = await(RequestClient.connect(t, l.endpoint(), ConnectOptions.of(U32)))) {
      assertArrayEquals(big, await(client.call(big, WAIT)));
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void interoperatesWithABlockingJdkServer(IoMode mode) throws Exception {
    Transport t = transport(mode);
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (Socket s = server.accept()) {
          InputStream in = s.getInputStream();
          byte[] req = FrameFormat.UVARINT.readFrame(new DataInputStream(in), 1 << 20);
          s.getOutputStream().write(FrameFormat.UVARINT.encode(("re: " + new String(req, StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try (RequestClient client = await(RequestClient.connect(t, Endpoint.tcp("127.0.0.1", server.getLocalPort()),
          ConnectOptions.of(FrameFormat.UVARINT)))) {
        assertArrayEquals(bytes("re: status?"), await(client.call(bytes("status?"), WAIT)));
      }
      await(served);
    }
  }
}
