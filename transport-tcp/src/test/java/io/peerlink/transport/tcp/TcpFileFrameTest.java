package io.peerlink.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * tcp's own part of sending file ranges, on both I/O modes: a file that shrinks while its range is
 * being sent (the kernel cannot send the rest) ends the connection, so the peer never reads the
 * next frame's bytes as the rest of this one; the frame is still closed and its send fails.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TcpFileFrameTest {

  private static final int WAIT_MILLIS = 20_000;
  private static final int RANGE = 32 << 20; // more than the loopback socket buffers hold

  @TempDir
  Path dir;

  private Transport transport;

  @AfterEach
  void closeTransport() {
    if (transport != null) {
      transport.close();
    }
  }

  @ParameterizedTest
  @EnumSource(IoMode.class)
  void aFileThatShrinksMidFrameClosesTheConnection(IoMode mode) throws Exception {
    Path segment = dir.resolve("segment");
    try (FileChannel writer = FileChannel.open(segment, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.READ)) {
      writer.write(ByteBuffer.allocate(RANGE), 0);
      AtomicInteger closes = new AtomicInteger();
      CompletableFuture<CompletableFuture<Void>> sending = new CompletableFuture<>();
      CompletableFuture<Connection> accepted = new CompletableFuture<>();
      transport = new TcpTransportProvider(mode).create();
      Listener listener = transport.listen(Endpoint.parse("tcp://127.0.0.1:0"),
          ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withMaxFrameLength(RANGE + 1), c -> {
            accepted.complete(c);
            return (conn, frame) -> sending.complete(conn.send(OutgoingFrame.builder().bytes(new byte[] {9}, 0, 1)
                .file(writer, 0, RANGE).closing(closes::incrementAndGet).build()));
          });
      try (Socket client = new Socket()) {
        client.setReceiveBufferSize(64 * 1024); // the answer stalls in the server's outbound buffer
        client.connect(new InetSocketAddress("127.0.0.1", listener.endpoint().port()), WAIT_MILLIS);
        client.setSoTimeout(WAIT_MILLIS);
        client.getOutputStream().write(new byte[] {0, 0, 0, 1, 7});
        DataInputStream in = new DataInputStream(client.getInputStream());
        assertEquals(RANGE + 1, in.readInt(), "the answer's header");
        in.readFully(new byte[1024]); // the frame is on its way, most of it still to send

        writer.truncate(0); // the range the frame promised is gone

        long read = 4 + 1024 + drain(in);
        assertTrue(read < 4 + RANGE + 1, "the frame was cut short: " + read + " bytes");
        CompletableFuture<Void> sent = sending.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        ExecutionException failed = assertThrows(ExecutionException.class,
            () -> sent.get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertInstanceOf(TransportException.class, failed.getCause());
        assertEquals(1, closes.get(), "the frame was closed");
        Connection server = accepted.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertFalse(server.isOpen(), "the server closed the connection");
      }
      listener.close();
    }
  }

  /** Reads until the peer closes; the bytes read. */
  private static long drain(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    for (int r; (r = in.read(buf)) >= 0; ) {
      n += r;
    }
    return n;
  }
}
