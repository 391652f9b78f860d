package io.peerlink.transport.api.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the transport kits share: the hooks a transport module implements, a fresh transport and
 * temporary directory per test, and helpers that wait with deadlines. {@link AbstractTransportTest}
 * is the contract of connections and listeners, {@link AbstractOutgoingFrameTest} that of frames
 * sent as pieces.
 */
public abstract class TransportKit {

  /** Deadline for single operations in the kits. */
  protected static final Duration WAIT = Duration.ofSeconds(20);

  /** A new instance of the provider under test. */
  protected abstract TransportProvider newProvider();

  /**
   * A fresh endpoint to listen on: e.g. {@code tcp://127.0.0.1:0} or a socket path in {@code dir}.
   *
   * @param dir a short, empty temporary directory owned by the test
   */
  protected abstract Endpoint newListenEndpoint(Path dir);

  /**
   * How the kit's clients connect; override to add settings the endpoints need (TLS).
   */
  protected ConnectOptions connectOptions(FrameFormat format) {
    return ConnectOptions.of(format);
  }

  /** How the kit's listeners listen; override to add settings the endpoints need (TLS). */
  protected ListenOptions listenOptions(FrameFormat format) {
    return ListenOptions.of(format);
  }

  protected Path dir;
  protected Transport transport;

  @BeforeEach
  void setUpTransport() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "plk");
    transport = newProvider().create();
  }

  @AfterEach
  void tearDownTransport() throws IOException {
    if (transport != null) {
      transport.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Listens with an echo handler: every frame is sent back as it came. */
  protected Listener echoListener(ListenOptions options) throws TransportException {
    return transport.listen(newListenEndpoint(dir), options, c -> (conn, frame) -> conn.send(frame));
  }

  protected static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }

  protected static Throwable awaitFailure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    return fail("expected a failure, got success");
  }

  protected static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // poll the condition, not a sleep to pass
    }
  }

  /** A frame handler that queues what arrives and records how the connection closed. */
  protected static final class Inbox implements FrameHandler {
    final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();

    @Override
    public void onFrame(Connection connection, byte[] frame) {
      frames.add(frame);
    }

    @Override
    public void onClose(Connection connection, Throwable cause) {
      closed.complete(cause);
    }

    byte[] next() throws InterruptedException {
      byte[] f = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(f, "no frame within " + WAIT);
      return f;
    }
  }
}
