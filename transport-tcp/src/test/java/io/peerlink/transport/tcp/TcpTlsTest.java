package io.peerlink.transport.tcp;

import io.peerlink.transport.api.testing.TestCertificates;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.TlsOptions;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TLS on the tcp transport: mutual authentication, refusals, and missing settings. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TcpTlsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final FrameFormat FORMAT = FrameFormat.UINT32_BIG_ENDIAN;

  private final TestCertificates certs = TestCertificates.get();
  private Transport transport;
  private final AtomicInteger connects = new AtomicInteger();
  private Listener listener;

  @BeforeEach
  void setUp() throws Exception {
    transport = new TcpTransportProvider().create();
    listener = transport.listen(Endpoint.parse("tls://127.0.0.1:0"), ListenOptions.of(FORMAT).withTls(certs.server),
        c -> {
          connects.incrementAndGet();
          return (conn, frame) -> conn.send(frame);
        });
  }

  @AfterEach
  void tearDown() {
    transport.close();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void tlsListenerAnswersATlsClient() throws Exception {
    assertTrue(listener.endpoint().isTls(), "listens on " + listener.endpoint());
    try (RequestClient client = await(RequestClient.connect(transport, listener.endpoint(),
        ConnectOptions.of(FORMAT).withTls(certs.client)))) {
      assertArrayEquals(bytes("over tls"), await(client.call(bytes("over tls"), WAIT)));
    }
    assertEquals(1, connects.get());
  }

  @Test
  void clientWithACertificateFromAnotherCaIsRefusedBeforeTheHandler() throws Exception {
    failsWithoutAnAnswer(listener.endpoint(), ConnectOptions.of(FORMAT).withTls(certs.strangerClient));
    assertEquals(0, connects.get(), "the connection handler never sees an unauthenticated peer");
    assertEquals(1, listener.stats().accepted());
  }

  @Test
  void plainTcpClientToATlsPortFails() throws Exception {
    Endpoint plain = Endpoint.tcp("127.0.0.1", listener.endpoint().port());
    failsWithoutAnAnswer(plain, ConnectOptions.of(FORMAT));
    assertEquals(0, connects.get());
  }

  @Test
  void tlsClientToAPlainTcpPortFails() throws Exception {
    Listener plain = transport.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(FORMAT),
        c -> (conn, frame) -> conn.send(frame));
    Endpoint asTls = Endpoint.tls("127.0.0.1", plain.endpoint().port());
    Throwable e = failure(transport.connect(asTls, ConnectOptions.of(FORMAT).withTls(certs.client)
        .withConnectTimeout(Duration.ofSeconds(3)), (c, f) -> { }));
    assertInstanceOf(TransportException.class, e);
    assertTrue(e.getMessage().contains(asTls.toString()), e.getMessage());
  }

  /**
   * Host names are verified: the server's certificate names 127.0.0.1 only, so dialling it as
   * {@code localhost} fails.
   */
  @Test
  void theServerCertificateMustNameTheDialledHost() throws Exception {
    Endpoint byName = Endpoint.tls("localhost", listener.endpoint().port());
    Throwable e = failure(transport.connect(byName, ConnectOptions.of(FORMAT).withTls(certs.client), (c, f) -> { }));
    assertInstanceOf(TransportException.class, e);
    assertTrue(e.getMessage().contains(byName.toString()) && e.getMessage().contains("TLS handshake"),
        e.getMessage());
    assertEquals(0, connects.get());
  }

  @Test
  void tlsEndpointsWithoutTlsSettingsAreRefusedClearly() throws Exception {
    Endpoint tls = Endpoint.parse("tls://127.0.0.1:0");
    TransportException listen = assertThrows(TransportException.class,
        () -> transport.listen(tls, ListenOptions.of(FORMAT), c -> (conn, f) -> { }));
    assertEquals(TransportException.Kind.BIND_FAILED, listen.kind());
    assertTrue(listen.getMessage().contains("tls://127.0.0.1:0") && listen.getMessage().contains("TLS settings are "
        + "missing"), listen.getMessage());

    Throwable connect = failure(transport.connect(listener.endpoint(), ConnectOptions.of(FORMAT), (c, f) -> { }));
    assertInstanceOf(TransportException.class, connect);
    assertTrue(connect.getMessage().contains(listener.endpoint().toString())
        && connect.getMessage().contains("TLS settings are missing"), connect.getMessage());

    TlsOptions missing = new TlsOptions(certs.dir.resolve("nope.pem"), certs.client.privateKey(),
        certs.client.trustedCertificates());
    Throwable bad = failure(transport.connect(listener.endpoint(), ConnectOptions.of(FORMAT).withTls(missing),
        (c, f) -> { }));
    assertTrue(bad.getMessage().contains("nope.pem"), bad.getMessage());
  }

  // Either the connect fails (TLS 1.2, or the alert arrives first) or the connection closes
  // before any answer (TLS 1.3: the server checks the client's certificate after the client
  // has finished its side of the handshake).
  private void failsWithoutAnAnswer(Endpoint endpoint, ConnectOptions options) throws Exception {
    Connection c;
    try {
      c = await(transport.connect(endpoint, options.withConnectTimeout(Duration.ofSeconds(5)), (conn, f) ->
          fail("no frame may arrive")));
    } catch (TransportException refused) {
      assertTrue(refused.getMessage().contains(endpoint.toString()), refused.getMessage());
      return;
    }
    c.send(bytes("hello?"));
    await(c.closeFuture());
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
