package io.peerlink.transport.unix;

import static io.peerlink.transport.unix.UnixTestSupport.LISTEN;
import static io.peerlink.transport.unix.UnixTestSupport.WAIT;
import static io.peerlink.transport.unix.UnixTestSupport.ask;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.PeerCredentials;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.testing.RawClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The uid allowlist, checked at accept with the peer credentials the kernel reports. */
class UnixAccessPolicyTest {

  private Path dir;
  private Transport transport;
  private long myUid;

  @BeforeEach
  void setUp() throws Exception {
    dir = UnixTestSupport.shortTempDir();
    transport = new UnixTransportProvider().create();
    // The owner of a file this process just created is its effective uid (0 when tests run as root).
    myUid = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
  }

  @AfterEach
  void tearDown() throws Exception {
    transport.close();
    UnixTestSupport.deleteTree(dir);
  }

  @Test
  void aUidOnTheAllowlistIsAdmittedWithItsCredentials() throws Exception {
    AtomicReference<Optional<PeerCredentials>> seen = new AtomicReference<>();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("ok.sock")),
        LISTEN.withAccess(AccessPolicy.uids(Set.of(myUid))), c -> {
          seen.set(c.peerCredentials());
          return (conn, frame) -> conn.send(frame);
        });
    assertEquals("hello", ask(transport, listener, "hello"));
    assertEquals(myUid, seen.get().orElseThrow().uid(), "the handler sees the admitted peer's uid");
    assertEquals(ProcessHandle.current().pid(), seen.get().orElseThrow().pid());
    assertEquals(0, listener.stats().refusedByPolicy());
    assertEquals(1, listener.stats().accepted());
    listener.close();
  }

  @Test
  void aUidNotOnTheAllowlistIsClosedAtAcceptAndNeverReachesTheHandler() throws Exception {
    long otherUid = myUid + 4242;
    AtomicInteger connects = new AtomicInteger();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("no.sock")),
        LISTEN.withAccess(AccessPolicy.uids(Set.of(otherUid))), c -> {
          connects.incrementAndGet();
          return (conn, frame) -> conn.send(frame);
        });
    for (int i = 0; i < 20; i++) { // a small flood: counted each, logged once
      try (RawClient raw = RawClient.connect(listener.endpoint(), 0)) {
        assertTrue(raw.awaitClosed(WAIT), "refused connection " + i + " is closed");
      }
    }
    waitUntil("all 20 are counted", () -> listener.stats().refusedByPolicy() == 20);
    assertEquals(0, connects.get(), "the handler never saw a refused connection");
    assertEquals(20, listener.stats().accepted());
    assertEquals(0, listener.stats().active());

    // Through the transport's own client: the connect succeeds (the kernel accepted it), then closes.
    Connection c = UnixTestSupport.await(transport.connect(listener.endpoint(), UnixTestSupport.CONNECT,
        (conn, frame) -> fail("no frame expected")));
    UnixTestSupport.await(c.closeFuture());
    assertEquals(0, connects.get());
    listener.close();
  }

  @Test
  void aPolicyThatThrowsRefusesTheConnection() throws Exception {
    AtomicInteger connects = new AtomicInteger();
    Listener listener = transport.listen(Endpoint.unix(dir.resolve("throw.sock")),
        LISTEN.withAccess((remote, credentials) -> {
          throw new IllegalStateException("broken policy");
        }), c -> {
          connects.incrementAndGet();
          return (conn, frame) -> conn.send(frame);
        });
    try (RawClient raw = RawClient.connect(listener.endpoint(), 0)) {
      assertTrue(raw.awaitClosed(WAIT), "closed: a failing policy admits nobody");
    }
    waitUntil("counted as refused", () -> listener.stats().refusedByPolicy() == 1);
    assertEquals(0, connects.get());
    listener.close();
  }

  static void waitUntil(String what, BooleanSupplier condition) {
    await(what).atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
        .until(condition::getAsBoolean);
  }
}
