package io.peerlink.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection that pipelines a large burst does not hold its event loop until the burst is done:
 * after {@link TcpInbound#FRAMES_PER_TURN} frames it yields, and a request of another
 * connection on the same loop is handled in between.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TcpFairnessTest {

  private static final FrameFormat FORMAT = FrameFormat.UINT32_BIG_ENDIAN;
  private static final int BURST = 50_000;

  private final Transport transport = new TcpTransportProvider().create();
  private final List<Socket> sockets = new ArrayList<>();
  /** What the handler saw, in order: the frame's first byte (its connection) and the loop's thread. */
  private final List<String> handled = new ArrayList<>(); // guarded by itself

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    transport.close();
  }

  @Test
  void aPipelinedBurstYieldsTheLoopToOtherConnections() throws Exception {
    AtomicInteger burstHandled = new AtomicInteger();
    Listener listener = transport.listen(Endpoint.parse("tcp://127.0.0.1:0"),
        ListenOptions.of(FORMAT).withLimits(io.peerlink.transport.api.ListenerLimits.DEFAULTS
            .withMaxUnansweredBytes(64 * 1024 * 1024)),
        c -> (conn, frame) -> {
          synchronized (handled) {
            handled.add(frame[0] + "@" + Thread.currentThread().getName());
          }
          if (frame[0] == 0) {
            burstHandled.incrementAndGet();
          }
          conn.send(new byte[] {frame[0]});
        });
    // The burst's connection, then four single requests: two of them share its event loop.
    Socket burst = connect(listener);
    List<Socket> singles = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      singles.add(connect(listener));
    }
    ByteBuffer frames = ByteBuffer.allocate(BURST * 5);
    for (int i = 0; i < BURST; i++) {
      frames.put(FORMAT.encode(new byte[] {0}));
    }
    Thread drain = new Thread(() -> {
      try {
        burst.getInputStream().readNBytes(BURST * 5);
      } catch (IOException e) {
        // the test's assertions say what went wrong
      }
    });
    drain.start();
    burst.getOutputStream().write(frames.array());
    for (int i = 0; i < singles.size(); i++) {
      singles.get(i).getOutputStream().write(FORMAT.encode(new byte[] {(byte) (i + 1)}));
    }
    for (Socket s : singles) {
      new DataInputStream(s.getInputStream()).readFully(new byte[5]);
    }
    drain.join(60_000);
    assertEquals(BURST, burstHandled.get(), "the whole burst was handled");

    List<String> seen;
    synchronized (handled) {
      seen = new ArrayList<>(handled);
    }
    String burstThread = seen.stream().filter(e -> e.startsWith("0@")).findFirst().orElseThrow().substring(2);
    int lastOfBurst = seen.lastIndexOf("0@" + burstThread);
    int sameLoop = 0;
    for (int i = 1; i <= singles.size(); i++) {
      int at = seen.indexOf(i + "@" + burstThread);
      if (at >= 0) {
        sameLoop++;
        assertTrue(at < lastOfBurst, "request " + i + " on the burst's loop was handled at " + at
            + ", after the burst's last frame at " + lastOfBurst);
      }
    }
    assertTrue(sameLoop > 0, "a single request shared the burst's event loop: " + seen.subList(0, 3));
  }

  private Socket connect(Listener l) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), l.endpoint().port()), 10_000);
    s.setSoTimeout(60_000);
    return s;
  }
}
