package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerlink.it.thirdparty.JdkTcpTransportProvider;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients of one transport against listeners of another, in the manner of Netty's transport
 * test suite: whatever writes the frames, whatever reads them, the bytes on the wire are the same
 * protocol. tcp (Netty) and the third-party jtcp (JDK sockets) both speak TCP, so each serves the
 * other's clients; unix meets only unix. Every pair runs every case in both framings.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransportMatrixTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A client transport's scheme and a listener transport's scheme that can meet. */
  private static final List<List<String>> PAIRS = List.of(
      List.of("tcp", "tcp"), List.of("tcp", "jtcp"), List.of("jtcp", "tcp"), List.of("jtcp", "jtcp"),
      List.of("unix", "unix"));

  /** One request/answer exchange, run by a client against a listener that answers each request reversed. */
  enum Case {
    /** One request, one answer. */
    ONE_REQUEST {
      @Override
      void run(Transport client, Endpoint target, ConnectOptions options) throws Exception {
        try (RequestClient c = connect(client, target, options)) {
          byte[] request = "status?".getBytes(java.nio.charset.StandardCharsets.UTF_8);
          assertArrayEquals(reversed(request), get(c.call(request, WAIT)));
        }
      }
    },
    /** A thousand requests written before any answer is read: answered in order, each its own. */
    PIPELINED {
      @Override
      void run(Transport client, Endpoint target, ConnectOptions options) throws Exception {
        try (RequestClient c = connect(client, target, options)) {
          List<CompletableFuture<byte[]>> answers = new ArrayList<>();
          for (int i = 0; i < 1000; i++) {
            answers.add(c.call(ByteBuffer.allocate(4).putInt(i).array(), WAIT));
          }
          for (int i = 0; i < answers.size(); i++) {
            assertArrayEquals(reversed(ByteBuffer.allocate(4).putInt(i).array()), get(answers.get(i)), "answer " + i);
          }
        }
      }
    },
    /** An 8 MiB frame each way, under the 16 MiB default maximum: lengths over 2^21 in both framings. */
    LARGE_FRAME {
      @Override
      void run(Transport client, Endpoint target, ConnectOptions options) throws Exception {
        byte[] request = new byte[8 * 1024 * 1024];
        new Random(16).nextBytes(request);
        try (RequestClient c = connect(client, target, options)) {
          assertArrayEquals(reversed(request), get(c.call(request, WAIT)));
          // The connection goes on after it: the frame was consumed exactly.
          assertArrayEquals(new byte[] {2, 1}, get(c.call(new byte[] {1, 2}, WAIT)));
        }
      }
    },
    /** Eight clients at once, fifty requests each: no answer reaches the wrong client. */
    CONCURRENT_CLIENTS {
      @Override
      void run(Transport client, Endpoint target, ConnectOptions options) throws Exception {
        List<RequestClient> clients = new ArrayList<>();
        try {
          for (int i = 0; i < 8; i++) {
            clients.add(connect(client, target, options));
          }
          List<CompletableFuture<byte[]>> answers = new ArrayList<>();
          for (int n = 0; n < 50; n++) {
            for (int i = 0; i < clients.size(); i++) {
              answers.add(clients.get(i).call(new byte[] {(byte) i, (byte) n}, WAIT));
            }
          }
          for (int k = 0; k < answers.size(); k++) {
            int n = k / clients.size();
            int i = k % clients.size();
            assertArrayEquals(new byte[] {(byte) n, (byte) i}, get(answers.get(k)), "client " + i + " request " + n);
          }
        } finally {
          clients.forEach(RequestClient::close);
        }
      }
    };

    abstract void run(Transport client, Endpoint target, ConnectOptions options) throws Exception;
  }

  static Stream<Arguments> matrix() {
    List<Arguments> all = new ArrayList<>();
    for (List<String> pair : PAIRS) {
      for (FrameFormat format : FrameFormat.values()) {
        for (Case c : Case.values()) {
          all.add(Arguments.of(pair.get(0), pair.get(1), format, c));
        }
      }
    }
    return all.stream();
  }

  private Path dir;
  private TransportRegistry transports;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "plm");
    transports = TransportRegistry.installed().register(new JdkTcpTransportProvider());
  }

  @AfterEach
  void tearDown() throws Exception {
    transports.close();
    Files.deleteIfExists(dir.resolve("m.sock"));
    Files.deleteIfExists(dir);
  }

  @ParameterizedTest(name = "{0} client -> {1} listener, {2}, {3}")
  @MethodSource("matrix")
  void everyCaseIsAnsweredAcrossThePair(String clientScheme, String listenerScheme, FrameFormat format, Case c)
      throws Exception {
    Endpoint listenOn = "unix".equals(listenerScheme) ? Endpoint.parse("unix://" + dir.resolve("m.sock"))
        : Endpoint.parse(listenerScheme + "://127.0.0.1:0");
    Transport server = transports.transportFor(listenOn);
    try (Listener listener = server.listen(listenOn, ListenOptions.of(format),
        connection -> (conn, request) -> conn.send(reversed(request)))) {
      // The same address under the client's scheme: a tcp listener's port is a jtcp client's too.
      Endpoint target = Endpoint.parse(clientScheme + "://" + listener.endpoint().address());
      Transport client = transports.transportFor(target);
      assertEquals(clientScheme, target.scheme());
      c.run(client, target, ConnectOptions.of(format));
    }
  }

  private static RequestClient connect(Transport transport, Endpoint target, ConnectOptions options) throws Exception {
    return get(RequestClient.connect(transport, target, options));
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static byte[] reversed(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }
}
