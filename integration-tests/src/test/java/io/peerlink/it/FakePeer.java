package io.peerlink.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A misbehaving (or lying) peer master on loopback TCP, written with plain JDK sockets and the
 * protocol's raw bytes, so it shares no code with what it tests.
 */
final class FakePeer implements AutoCloseable {

  /** How it misbehaves. */
  enum Behaviour {
    /** Accepts and reads, never answers. */
    HANG,
    /** Answers each request with a frame that is not protobuf. */
    GARBAGE,
    /** Announces a 100-byte answer, sends 3 bytes, closes. */
    CLOSE_MID_FRAME,
    /** Answers every request with {@code Response{error=...}}. */
    ERROR,
    /** Answers honestly-shaped status with the configured epoch and block. */
    CLAIM
  }

  private final Behaviour behaviour;
  private final long epoch;
  private final long block;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private FakePeer(Behaviour behaviour, long epoch, long block) throws IOException {
    this.behaviour = behaviour;
    this.epoch = epoch;
    this.block = block;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "fake-peer-" + behaviour);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static FakePeer start(Behaviour behaviour) throws IOException {
    return new FakePeer(behaviour, 0, 0);
  }

  /** A peer that claims this epoch and block (a liar when they are absurd). */
  static FakePeer claiming(long epoch, long block) throws IOException {
    return new FakePeer(Behaviour.CLAIM, epoch, block);
  }

  String endpoint() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "fake-peer-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        int len = in.readInt();
        byte[] request = new byte[len];
        in.readFully(request);
        switch (behaviour) {
          case HANG:
            break;
          case GARBAGE:
            frame(out, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
            break;
          case CLOSE_MID_FRAME:
            out.writeInt(100);
            out.write(new byte[] {0x32, 0x02, 0x08});
            out.flush();
            return;
          case ERROR:
            frame(out, field(4, "peer is shutting down".getBytes(StandardCharsets.UTF_8)));
            break;
          case CLAIM:
            frame(out, claim(request));
            break;
          default:
            throw new IllegalStateException();
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private byte[] claim(byte[] request) throws IOException {
    int field = (request[0] & 0xff) >>> 3;
    switch (field) {
      case 5:
        return field(5, uint64Field(1, block));
      case 6:
        return field(6, uint64Field(1, epoch));
      case 7:
        return field(7, uint64Field(1, 1_700_000_000_000L));
      default:
        return field(4, ("unsupported request field " + field).getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void frame(DataOutputStream out, byte[] payload) throws IOException {
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
  }

  private static byte[] field(int number, byte[] body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    varint(b, (number << 3) | 2);
    varint(b, body.length);
    b.write(body);
    return b.toByteArray();
  }

  private static byte[] uint64Field(int number, long value) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (value != 0) {
      varint(b, number << 3);
      varint(b, value);
    }
    return b.toByteArray();
  }

  private static void varint(ByteArrayOutputStream b, long v) {
    while ((v & ~0x7FL) != 0) {
      b.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.write((int) v);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
