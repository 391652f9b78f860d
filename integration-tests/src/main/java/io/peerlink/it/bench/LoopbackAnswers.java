package io.peerlink.it.bench;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.TransportRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The setup of the send benchmarks: a peerlink tcp listener on loopback (epoll where it loads)
 * whose handler answers each request, and a plain blocking JDK socket that sends a 1-byte request
 * and reads the answer into one reused array, so the receiver costs only the kernel's copy, the
 * same whatever the sender does.
 */
final class LoopbackAnswers implements AutoCloseable {

  private final TransportRegistry serverSide;
  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final byte[] received;

  /** Listens with {@code answering}, which must answer each request with a frame of {@code answerBytes}. */
  LoopbackAnswers(FrameHandler answering, int answerBytes) throws IOException {
    QuietLogs.apply();
    serverSide = TransportRegistry.installed();
    Endpoint endpoint = Endpoint.tcp("127.0.0.1", 0);
    Listener listener = serverSide.transportFor(endpoint).listen(endpoint,
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), c -> answering);
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", listener.endpoint().port()));
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    received = new byte[answerBytes];
  }

  /** One request, one answer read whole; returns its last byte (for JMH to consume). */
  int ask(ProcessCpu cpu) throws IOException {
    out.write(new byte[] {0, 0, 0, 1, 7});
    int length = in.readInt();
    if (length != received.length) {
      throw new IllegalStateException("an answer of " + length + " bytes, not " + received.length);
    }
    in.readFully(received);
    cpu.answered();
    return received[length - 1];
  }

  @Override
  public void close() throws IOException {
    socket.close();
    serverSide.close();
  }
}
