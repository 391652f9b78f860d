package io.peerlink.transport.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP-only parts of the listener limits: the per-address cap and a CIDR allowlist, with clients
 * bound to different loopback source addresses (127.0.0.1 and 127.0.0.2; Linux routes all of
 * 127/8 to the loopback interface).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TcpAccessAndCapsTest {

  private static final FrameFormat FORMAT = FrameFormat.UINT32_BIG_ENDIAN;
  private static final int WAIT_MILLIS = 20_000;

  private Transport transport;
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicInteger connects = new AtomicInteger();

  @BeforeEach
  void setUp() {
    transport = new TcpTransportProvider().create();
  }

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    transport.close();
  }

  private Listener echo(ListenOptions options) throws Exception {
    return transport.listen(Endpoint.parse("tcp://127.0.0.1:0"), options, c -> {
      connects.incrementAndGet();
      return (conn, frame) -> conn.send(frame);
    });
  }

  private Socket from(String source, Listener l) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
    s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), l.endpoint().port()), WAIT_MILLIS);
    s.setSoTimeout(WAIT_MILLIS);
    return s;
  }

  private static void assertServed(Socket s) throws IOException {
    byte[] frame = FORMAT.encode(new byte[] {1, 2, 3});
    s.getOutputStream().write(frame);
    byte[] back = s.getInputStream().readNBytes(frame.length);
    assertTrue(Arrays.equals(frame, back), "echoed: " + Arrays.toString(back));
  }

  private static void assertClosedByPeer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      assertEquals(-1, in.read(), "closed by the listener");
    } catch (SocketTimeoutException e) {
      fail("the listener did not close the connection within " + WAIT_MILLIS + " ms");
    } catch (IOException reset) {
      // closed with a reset: closed all the same
    }
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    await(what).atMost(Duration.ofMillis(WAIT_MILLIS)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .until(condition::getAsBoolean);
  }

  @Test
  void perAddressCapCountsEachRemoteAddressApart() throws Exception {
    Listener l = echo(ListenOptions.of(FORMAT).withLimits(ListenerLimits.DEFAULTS.withMaxConnections(100, 2)));
    Socket a1 = from("127.0.0.1", l);
    Socket a2 = from("127.0.0.1", l);
    assertServed(a1);
    assertServed(a2);
    Socket a3 = from("127.0.0.1", l);
    assertClosedByPeer(a3);
    waitUntil("refusedOverLimit counts it", () -> l.stats().refusedOverLimit() == 1);

    Socket b1 = from("127.0.0.2", l);
    assertServed(b1); // another address has its own count
    assertEquals(3, connects.get(), "the handler never saw the refused connection");

    a1.close();
    waitUntil("127.0.0.1 has a slot again", () -> l.stats().active() == 2);
    assertServed(from("127.0.0.1", l));
    assertEquals(1, l.stats().refusedOverLimit());
  }

  @Test
  void cidrAllowlistAdmitsOnlyItsBlocks() throws Exception {
    Listener l = echo(ListenOptions.of(FORMAT).withAccess(AccessPolicy.cidrs(List.of("127.0.0.2/32"))));
    Socket outsider = from("127.0.0.1", l);
    assertClosedByPeer(outsider);
    waitUntil("refusedByPolicy counts it", () -> l.stats().refusedByPolicy() == 1);
    assertEquals(0, connects.get());

    assertServed(from("127.0.0.2", l));
    assertEquals(1, connects.get());

    // A flood of refusals is counted, every one of them.
    for (int i = 0; i < 20; i++) {
      assertClosedByPeer(from("127.0.0.1", l));
    }
    waitUntil("all refusals counted", () -> l.stats().refusedByPolicy() == 21);
    assertEquals(22, l.stats().accepted());
    assertEquals(1, l.stats().active());
  }

  @Test
  void reservedSlotsKeepStrangersFromLockingConfiguredPeersOut() throws Exception {
    // 10 connections, 4 of them kept for 127.0.0.1 (the configured peer); strangers come from 127.0.0.2-4.
    Listener l = echo(ListenOptions.of(FORMAT)
        .withLimits(ListenerLimits.DEFAULTS.withMaxConnections(10, 10).withReservedConnections(4))
        .withReservedFor(AccessPolicy.cidrs(List.of("127.0.0.1/32"))));
    List<Socket> strangers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Socket s = from("127.0.0." + (2 + i % 3), l);
      assertServed(s);
      strangers.add(s);
    }
    Socket seventh = from("127.0.0.3", l);
    assertClosedByPeer(seventh);
    waitUntil("the stranger over the unreserved share is counted", () -> l.stats().refusedOverLimit() == 1);
    for (int i = 0; i < 4; i++) {
      assertServed(from("127.0.0.1", l)); // the configured peer gets every reserved slot
    }
    assertClosedByPeer(from("127.0.0.1", l)); // and no more than the total
    waitUntil("the total cap holds for peers too", () -> l.stats().refusedOverLimit() == 2);
    strangers.get(0).close();
    waitUntil("a stranger's slot is free again", () -> l.stats().active() == 9);
    assertServed(from("127.0.0.4", l)); // strangers are counted apart: 6 of them again
    assertClosedByPeer(from("127.0.0.4", l));
  }

  /**
   * Writes up to {@code frames} frames of 32 KiB to a listener bounded at {@code bound} unanswered
   * bytes that answers each with {@code answer}, never reading the answers; returns how many went
   * out before the writer stalled (no progress for half a second) or all did.
   */
  private int framesWrittenUnread(int bound, int frames, FrameHandler answer) throws Exception {
    Listener l = transport.listen(Endpoint.parse("tcp://127.0.0.1:0"),
        ListenOptions.of(FORMAT).withMaxFrameLength(1 << 20)
        .withLimits(ListenerLimits.DEFAULTS.withMaxUnansweredBytes(bound).withMaxPipelined(1_000_000)), c -> answer);
    Socket s = from("127.0.0.1", l);
    byte[] frame = FORMAT.encode(new byte[32 * 1024]);
    AtomicInteger written = new AtomicInteger();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < frames; i++) {
          s.getOutputStream().write(frame);
          written.incrementAndGet();
        }
      } catch (IOException e) {
        // the socket closed at the end of the test
      }
    });
    writer.setDaemon(true);
    writer.start();
    int last = -1;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (written.get() < frames && written.get() != last && System.nanoTime() < deadline) {
      last = written.get();
      writer.join(500); // progress check every half second, bounded by the deadline
    }
    int result = written.get();
    s.close();
    writer.join(WAIT_MILLIS);
    return result;
  }

  @Test
  void aPeerThatDoesNotReadIsNotReadEitherPastItsUnansweredBytes() throws Exception {
    // 1,000 frames of 32 KiB (32 MB, beyond what the kernel's socket buffers hold) and no echo read.
    FrameHandler echo = (conn, frame) -> conn.send(frame);
    assertEquals(1000, framesWrittenUnread(256 * 1024 * 1024, 1000, echo), "a generous bound reads everything");
    int bounded = framesWrittenUnread(64 * 1024, 1000, echo);
    assertTrue(bounded < 1000, "with 64 KiB the listener stops reading: " + bounded + " of 1000 frames went out");
  }

  /**
   * The same with answers sent from a file: a file range waiting to be written counts its bytes
   * (Netty counts a file region as none by default), so the listener stops reading as for byte answers.
   */
  @Test
  void aPeerThatDoesNotReadAnswersSentFromAFileIsNotReadEitherPastItsUnansweredBytes(@TempDir Path dir)
      throws Exception {
    Path segment = dir.resolve("segment");
    Files.write(segment, new byte[32 * 1024]);
    try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ)) {
      FrameHandler fromFile = (conn, frame) -> conn.send(OutgoingFrame.builder().bytes(frame, 0, 4)
          .file(file, 0, 32 * 1024 - 4).build());
      assertEquals(1000, framesWrittenUnread(256 * 1024 * 1024, 1000, fromFile), "a generous bound reads everything");
      // 1 MiB, not 64 KiB: Netty also counts 96 bytes per queued message, which alone would stop a
      // 64 KiB listener after a few hundred answers even if their file bytes counted for nothing.
      int bounded = framesWrittenUnread(1024 * 1024, 1000, fromFile);
      assertTrue(bounded < 1000, "with 1 MiB the listener stops reading: " + bounded + " of 1000 frames went out");
    }
  }
}
