package io.peerlink.transport.unix;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Small helpers shared by the Unix-specific tests. */
final class UnixTestSupport {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final ListenOptions LISTEN = ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN);
  static final ConnectOptions CONNECT = ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN);

  private UnixTestSupport() {
  }

  /** A short temporary directory under /tmp: socket paths must stay under 108 bytes. */
  static Path shortTempDir() throws IOException {
    return Files.createTempDirectory(Path.of("/tmp"), "plu");
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
  }

  static Throwable awaitFailure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got success");
  }

  /** Sends one request through the listener and returns the answer as text. */
  static String ask(Transport transport, Listener listener, String request) throws Exception {
    try (RequestClient client = await(RequestClient.connect(transport, listener.endpoint(), CONNECT))) {
      return new String(await(client.call(bytes(request), WAIT)), StandardCharsets.UTF_8);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().collect(Collectors.toList());
    }
  }
}
