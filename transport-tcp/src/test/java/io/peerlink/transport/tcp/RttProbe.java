package io.peerlink.transport.tcp;

import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.Transport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A quick loopback round-trip probe, not a test and not a benchmark of record (issue 6 owns
 * those): request/response RTT of this transport against a plain blocking JDK socket pair, the
 * yardstick issue 6 sets. Run with the test class path:
 * {@code java -cp ... io.peerlink.transport.tcp.RttProbe [iterations] [payloadBytes]}.
 */
public final class RttProbe {

  private static final FrameFormat F = FrameFormat.UINT32_BIG_ENDIAN;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    byte[] payload = new byte[size];
    System.out.printf("RTT over loopback, %d-byte frames, %d round trips after %d warm-up (microseconds)%n",
        size, n, n / 2);
    report("blocking JDK client -> blocking JDK server", rawRaw(n, payload));
    for (IoMode mode : IoMode.values()) {
      report("RequestClient/" + mode + " -> " + mode + " server", transportTransport(mode, n, payload));
      report("Connection.send/" + mode + " -> " + mode + " server", connectionOnly(mode, n, payload));
      report("blocking JDK client -> " + mode + " server", rawToTransport(mode, n, payload));
    }
  }

  private static void report(String what, long[] nanos) {
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(0) / 1000;
    System.out.printf("  %-45s median %6.1f  mean %6.1f  p99 %7.1f%n", what, nanos[nanos.length / 2] / 1000.0, mean,
        nanos[(int) (nanos.length * 0.99)] / 1000.0);
  }

  private static long[] rawRaw(int n, byte[] payload) throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> {
        try (Socket s = ss.accept()) {
          s.setTcpNoDelay(true);
          InputStream in = new BufferedInputStream(s.getInputStream());
          OutputStream out = s.getOutputStream();
          byte[] f;
          while ((f = F.readFrame(in, 1 << 20)) != null) {
            out.write(F.encode(f));
          }
        } catch (IOException ignored) {
          // client gone
        }
      }, "raw-echo");
      server.start();
      long[] t = rawClient(ss.getLocalPort(), n, payload);
      server.join();
      return t;
    }
  }

  private static long[] rawClient(int port, int n, byte[] payload) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      long[] t = new long[n];
      for (int i = -n / 2; i < n; i++) {
        long start = System.nanoTime();
        out.write(F.encode(payload));
        F.readFrame(in, 1 << 20);
        if (i >= 0) {
          t[i] = System.nanoTime() - start;
        }
      }
      return t;
    }
  }

  private static long[] transportTransport(IoMode mode, int n, byte[] payload) throws Exception {
    try (Transport server = new TcpTransport(mode); Transport client = new TcpTransport(mode)) {
      Listener l = server.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(F), c -> (conn, f) -> conn.send(f));
      try (RequestClient rc = RequestClient.connect(client, l.endpoint(), ConnectOptions.of(F)).get(10, TimeUnit.SECONDS)) {
        long[] t = new long[n];
        Duration timeout = Duration.ofSeconds(10);
        for (int i = -n / 2; i < n; i++) {
          long start = System.nanoTime();
          rc.call(payload, timeout).get();
          if (i >= 0) {
            t[i] = System.nanoTime() - start;
          }
        }
        return t;
      }
    }
  }

  // The transport alone, without RequestClient's bookkeeping (queue, per-call timeout timer).
  private static long[] connectionOnly(IoMode mode, int n, byte[] payload) throws Exception {
    try (Transport server = new TcpTransport(mode); Transport client = new TcpTransport(mode)) {
      Listener l = server.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(F), c -> (conn, f) -> conn.send(f));
      java.util.concurrent.SynchronousQueue<byte[]> answers = new java.util.concurrent.SynchronousQueue<>();
      io.peerlink.transport.api.Connection c = client.connect(l.endpoint(), ConnectOptions.of(F),
          (conn, f) -> answers.put(f)).get(10, TimeUnit.SECONDS);
      long[] t = new long[n];
      for (int i = -n / 2; i < n; i++) {
        long start = System.nanoTime();
        c.send(payload);
        answers.take();
        if (i >= 0) {
          t[i] = System.nanoTime() - start;
        }
      }
      c.close();
      return t;
    }
  }

  private static long[] rawToTransport(IoMode mode, int n, byte[] payload) throws Exception {
    try (Transport server = new TcpTransport(mode)) {
      Listener l = server.listen(Endpoint.parse("tcp://127.0.0.1:0"), ListenOptions.of(F), c -> (conn, f) -> conn.send(f));
      return rawClient(l.endpoint().port(), n, payload);
    }
  }
}
