package io.peerlink.transport.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract of {@link Connection#send(OutgoingFrame)}, run by every transport: frames of byte
 * pieces and ranges of a real file arrive byte for byte, one frame each and in order among plain
 * frames; the frame is closed once its send has completed, failed or been refused; a range its
 * file does not hold fails the send before anything is written. A transport that sends ranges
 * from the kernel (tcp) and one that reads them into an array (the default) pass the same kit.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class AbstractOutgoingFrameTest extends TransportKit {

  private static final int MIB = 1 << 20;
  private static final int MAX = 16 * MIB;

  private byte[] content;
  private FileChannel file;

  @BeforeEach
  void writeFile() throws IOException {
    content = new byte[8 * MIB + 64 * 1024];
    new Random(15).nextBytes(content);
    Path p = dir.resolve("segment");
    Files.write(p, content);
    file = FileChannel.open(p, StandardOpenOption.READ);
  }

  @AfterEach
  void closeFile() throws IOException {
    file.close();
  }

  /** A frame being laid out, and the bytes it must arrive as. */
  private final class Layout {
    final OutgoingFrame.Builder builder = OutgoingFrame.builder();
    final ByteArrayOutputStream expected = new ByteArrayOutputStream();

    Layout bytes(byte[] b) {
      builder.bytes(b, 0, b.length);
      expected.write(b, 0, b.length);
      return this;
    }

    Layout range(int position, int length) {
      builder.file(file, position, length);
      expected.write(content, position, length);
      return this;
    }
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * The frames of the byte-for-byte test: 1 byte to 8 MiB and a few, with the sizes where a
   * header grows and where tcp's 1 MiB buffers split, many small pieces, and a range answer's
   * layout (80 ranges of 100 KB with small byte pieces between).
   */
  private List<Layout> layouts() {
    List<Layout> all = new ArrayList<>();
    all.add(new Layout().range(12_345, 1));
    all.add(new Layout().bytes(new byte[] {42}));
    all.add(new Layout().bytes(random(60, 1)).range(1, 67)); // 127 bytes: the longest 1-byte varint
    all.add(new Layout().range(999, 100).bytes(random(28, 2))); // 128
    all.add(new Layout().bytes(random(3, 3)).range(70_001, 69_994).bytes(random(3, 4))); // 70,000
    all.add(new Layout().bytes(random(MIB - 7, 5)).range(5, 3)); // header + bytes end around 1 MiB
    all.add(new Layout().bytes(random(2 * MIB + 1, 6)).range(MIB, 10).bytes(random(MIB, 7)));
    Layout many = new Layout();
    for (int i = 0; i < 2_000; i++) {
      many.bytes(new byte[] {(byte) i, (byte) (i >> 8), 7}).range(i * 4_001 + 3, 7); // gaps: nothing merges
    }
    all.add(many);
    Layout answer = new Layout().bytes(random(9, 8));
    for (int i = 0; i < 80; i++) {
      answer.bytes(random(12, 100 + i)).range(i * 100_000 + 17, 100_000);
    }
    all.add(answer);
    all.add(new Layout().bytes(random(5, 9)).range(7, 8 * MIB).bytes(random(4, 10))); // 8 MiB + 9
    return all;
  }

  private Connection connect(Listener listener, FrameFormat format, int max, Inbox inbox) throws Exception {
    return await(transport.connect(listener.endpoint(), connectOptions(format).withMaxFrameLength(max), inbox));
  }

  @ParameterizedTest
  @EnumSource(FrameFormat.class)
  void framesOfBytesAndFileRangesArriveByteForByteBothWays(FrameFormat format) throws Exception {
    List<Layout> layouts = layouts();
    // The server answers the n-th frame with the n-th layout too, so accepted connections send them as well.
    LinkedBlockingQueue<byte[]> serverGot = new LinkedBlockingQueue<>();
    AtomicInteger seen = new AtomicInteger();
    Listener listener = transport.listen(newListenEndpoint(dir), listenOptions(format).withMaxFrameLength(MAX),
        c -> (conn, frame) -> {
          serverGot.add(frame);
          conn.send(layouts().get(seen.getAndIncrement()).builder.build());
        });
    Inbox inbox = new Inbox();
    Connection client = connect(listener, format, MAX, inbox);
    for (int i = 0; i < layouts.size(); i++) {
      byte[] expected = layouts.get(i).expected.toByteArray();
      await(client.send(layouts.get(i).builder.build()));
      byte[] got = serverGot.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertArrayEquals(expected, got, "frame " + i + " of " + expected.length + " bytes, as the server got it");
      assertArrayEquals(expected, inbox.next(),
          "frame " + i + " of " + expected.length + " bytes, as the server sent it");
    }
    assertTrue(client.isOpen());
    client.close();
    listener.close();
  }

  @Test
  void framesFromSeveralThreadsArriveWholeAndInOrderAmongPlainFrames() throws Exception {
    FrameFormat format = FrameFormat.UINT32_BIG_ENDIAN;
    Listener listener = echoListener(listenOptions(format).withMaxFrameLength(MAX));
    Inbox inbox = new Inbox();
    Connection client = connect(listener, format, MAX, inbox);
    int threads = 4;
    int perThread = 40;
    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      senders.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < perThread; i++) {
          if (i % 2 == 0) {
            client.send(fromThread(thread, i).builder.build());
          } else {
            client.send(fromThread(thread, i).expected.toByteArray());
          }
        }
      }, r -> new Thread(r, "sender-" + thread).start()));
    }
    for (CompletableFuture<Void> s : senders) {
      await(s);
    }
    int[] next = new int[threads];
    for (int n = 0; n < threads * perThread; n++) {
      byte[] got = inbox.next();
      int thread = ByteBuffer.wrap(got).getInt();
      int i = ByteBuffer.wrap(got).getInt(4);
      assertEquals(next[thread], i, "thread " + thread + "'s frames in the order it sent them");
      assertArrayEquals(fromThread(thread, i).expected.toByteArray(), got, "thread " + thread + " frame " + i);
      next[thread]++;
    }
    client.close();
    listener.close();
  }

  /** Frame {@code i} of sender {@code thread}: who and which first, then a range that differs per frame. */
  private Layout fromThread(int thread, int i) {
    int length = 1 + (thread * 7_919 + i * 104_729) % (300 * 1024);
    return new Layout().bytes(ByteBuffer.allocate(8).putInt(thread).putInt(i).array())
        .range((thread * 31 + i) * 1_001, length).bytes(random(i % 5, i));
  }

  @Test
  void theFrameIsClosedWhenItsSendHasCompletedAndAChannelItDoesNotOwnStaysOpen() throws Exception {
    FrameFormat format = FrameFormat.UINT32_BIG_ENDIAN;
    Listener listener = echoListener(listenOptions(format).withMaxFrameLength(MAX));
    Inbox inbox = new Inbox();
    Connection client = connect(listener, format, MAX, inbox);
    for (int round = 0; round < 3; round++) {
      AtomicInteger closes = new AtomicInteger();
      FileChannel own = FileChannel.open(dir.resolve("segment"), StandardOpenOption.READ);
      Layout layout = new Layout().bytes(new byte[] {1, 2}).range(100, 2 * MIB);
      OutgoingFrame frame = layout.builder.file(own, 5, 1_000).closing(own).closing(closes::incrementAndGet).build();
      layout.expected.write(content, 5, 1_000);
      await(client.send(frame));
      assertEquals(1, closes.get(), "the frame was closed by the time its send completed");
      assertFalse(own.isOpen(), "the channel it owned is closed");
      assertTrue(file.isOpen(), "the channel it did not own is open");
      assertArrayEquals(layout.expected.toByteArray(), inbox.next());
    }
    assertEquals(0, file.position(), "the shared channel's position is not used");
    client.close();
    listener.close();
  }

  @Test
  void aFrameOverTheMaximumIsRefusedAndClosed() throws Exception {
    FrameFormat format = FrameFormat.UINT32_BIG_ENDIAN;
    int max = 70_000;
    Listener listener = echoListener(listenOptions(format).withMaxFrameLength(MAX));
    Inbox inbox = new Inbox();
    Connection client = connect(listener, format, max, inbox);
    AtomicInteger closes = new AtomicInteger();
    OutgoingFrame tooLong = new Layout().bytes(new byte[] {1}).range(0, max).builder
        .closing(closes::incrementAndGet).build();
    Throwable refused = awaitFailure(client.send(tooLong));
    assertInstanceOf(TransportException.class, refused);
    assertEquals(TransportException.Kind.BAD_FRAME, ((TransportException) refused).kind(), refused.getMessage());
    assertTrue(refused.getMessage().contains(Integer.toString(max)), "names the maximum: " + refused.getMessage());
    waitUntil("the refused frame is closed", () -> closes.get() == 1);

    Layout exact = new Layout().bytes(new byte[] {2}).range(3, max - 1);
    await(client.send(exact.builder.build()));
    assertArrayEquals(exact.expected.toByteArray(), inbox.next(), "a frame of the maximum still passes, whole");
    client.close();
    listener.close();
  }

  @Test
  void aRangePastTheEndOfItsFileFailsTheSendBeforeAnythingIsWritten() throws Exception {
    FrameFormat format = FrameFormat.UINT32_BIG_ENDIAN;
    Listener listener = echoListener(listenOptions(format).withMaxFrameLength(MAX));
    Inbox inbox = new Inbox();
    Connection client = connect(listener, format, MAX, inbox);
    AtomicInteger closes = new AtomicInteger();
    int pastEnd = content.length - 5;
    OutgoingFrame bad = new Layout().bytes(random(100, 11)).range(0, MIB).builder.file(file, pastEnd, 10)
        .closing(closes::incrementAndGet).build();
    Throwable failed = awaitFailure(client.send(bad));
    assertInstanceOf(TransportException.class, failed);
    assertEquals(TransportException.Kind.IO, ((TransportException) failed).kind(), failed.getMessage());
    assertTrue(failed.getMessage().contains("10 bytes at " + pastEnd), "names the range: " + failed.getMessage());
    waitUntil("the failed frame is closed", () -> closes.get() == 1);

    assertTrue(client.isOpen(), "the connection stays usable");
    Layout good = new Layout().bytes(random(7, 12)).range(pastEnd - 5, 10);
    await(client.send(good.builder.build()));
    assertArrayEquals(good.expected.toByteArray(), inbox.next(), "the next frame arrives intact, nothing before it");
    client.close();
    listener.close();
  }
}
