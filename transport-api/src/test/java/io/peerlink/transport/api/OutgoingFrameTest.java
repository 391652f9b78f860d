package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.OutgoingFrame.Bytes;
import io.peerlink.transport.api.OutgoingFrame.FileRange;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutgoingFrameTest {

  @TempDir
  Path dir;

  private byte[] content;
  private FileChannel file;

  @BeforeEach
  void writeFile() throws IOException {
    content = new byte[10_000];
    new java.util.Random(15).nextBytes(content);
    Path p = dir.resolve("segment");
    Files.write(p, content);
    file = FileChannel.open(p, StandardOpenOption.READ);
  }

  @AfterEach
  void closeFile() throws IOException {
    file.close();
  }

  private byte[] fileBytes(int from, int length) {
    return Arrays.copyOfRange(content, from, from + length);
  }

  @Test
  void toArrayLaysBytesAndFileRangesOutInOrder() throws IOException {
    byte[] head = {1, 2, 3, 4, 5};
    OutgoingFrame frame = OutgoingFrame.builder()
        .bytes(head, 1, 3)
        .file(file, 100, 50)
        .bytes(new byte[] {9}, 0, 1)
        .file(file, 0, 7)
        .file(file, 9_990, 10)
        .build();
    byte[] expected = concat(new byte[] {2, 3, 4}, fileBytes(100, 50), new byte[] {9}, fileBytes(0, 7),
        fileBytes(9_990, 10));
    assertEquals(expected.length, frame.length());
    assertTrue(frame.hasFileRanges());
    assertArrayEquals(expected, frame.toArray());
    assertArrayEquals(expected, frame.toArray(), "reading does not move the channel: a second read is the same");
    assertEquals(0, file.position(), "positional reads only");
    frame.checkFileRanges(); // all within the file
  }

  @Test
  void aFrameOfBytesOnlyHasNoFileRangesAndEmptyPiecesAreDropped() throws IOException {
    byte[] array = {7, 8};
    OutgoingFrame frame = OutgoingFrame.builder().bytes(array, 0, 0).bytes(array, 0, 2).file(file, 5, 0).build();
    assertFalse(frame.hasFileRanges());
    assertEquals(List.of(new Bytes(array, 0, 2)), frame.pieces());
    assertArrayEquals(array, OutgoingFrame.of(array).toArray());
    assertEquals(0, OutgoingFrame.builder().build().toArray().length);
  }

  @Test
  void aFrameOfOneWholeArrayIsThatArrayAndAnyOtherIsANewOne() throws IOException {
    byte[] array = {1, 2, 3};
    assertSame(array, OutgoingFrame.of(array).toArray(), "no copy to send a frame of one array");
    byte[] part = OutgoingFrame.builder().bytes(array, 1, 2).build().toArray();
    assertArrayEquals(new byte[] {2, 3}, part);
    byte[] twice = OutgoingFrame.builder().bytes(array, 0, 3).bytes(array, 0, 3).build().toArray();
    assertNotSame(array, twice);
    assertArrayEquals(new byte[] {1, 2, 3, 1, 2, 3}, twice);
  }

  @Test
  void adjacentRangesOfOneChannelMergeOthersDoNot() throws IOException {
    byte[] between = new byte[1];
    try (FileChannel other = FileChannel.open(dir.resolve("segment"), StandardOpenOption.READ)) {
      OutgoingFrame frame = OutgoingFrame.builder()
          .file(file, 0, 100).file(file, 100, 100).file(file, 200, 1) // one range: 0..201
          .file(file, 300, 10) // a gap: a new range
          .file(other, 310, 10) // adjacent, but another channel
          .bytes(between, 0, 1)
          .file(other, 320, 5) // adjacent to the range before the bytes piece: not merged across it
          .build();
      assertEquals(List.of(new FileRange(file, 0, 201), new FileRange(file, 300, 10), new FileRange(other, 310, 10),
          new Bytes(between, 0, 1), new FileRange(other, 320, 5)), frame.pieces());
      assertArrayEquals(concat(fileBytes(0, 201), fileBytes(300, 10), fileBytes(310, 10), new byte[1],
          fileBytes(320, 5)), frame.toArray());
    }
  }

  @Test
  void closeClosesOwnedResourcesOnceAndNothingElse() throws IOException {
    AtomicInteger closes = new AtomicInteger();
    FileChannel owned = FileChannel.open(dir.resolve("segment"), StandardOpenOption.READ);
    OutgoingFrame frame = OutgoingFrame.builder().file(file, 0, 10).file(owned, 0, 10)
        .closing(owned).closing(closes::incrementAndGet).build();
    frame.close();
    frame.close();
    assertEquals(1, closes.get());
    assertFalse(owned.isOpen(), "an owned channel is closed");
    assertTrue(file.isOpen(), "a channel the frame does not own stays open");
  }

  @Test
  void closeFromTwoThreadsAtOnceClosesOnce() throws Exception {
    for (int round = 0; round < 200; round++) {
      AtomicInteger closes = new AtomicInteger();
      OutgoingFrame frame = OutgoingFrame.builder().bytes(new byte[1], 0, 1).closing(closes::incrementAndGet).build();
      CountDownLatch start = new CountDownLatch(1);
      Thread[] threads = new Thread[2];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          frame.close();
        });
        threads[i].start();
      }
      start.countDown();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(t.isAlive());
      }
      assertEquals(1, closes.get(), "round " + round);
    }
  }

  @Test
  void aFailingCloseDoesNotStopTheOthers() {
    AtomicInteger closes = new AtomicInteger();
    OutgoingFrame frame = OutgoingFrame.builder()
        .closing(() -> {
          throw new IOException("already gone");
        })
        .closing(closes::incrementAndGet).build();
    frame.close();
    assertEquals(1, closes.get());
  }

  @Test
  void aRangePastTheEndOfItsFileFailsNamingTheRange() {
    OutgoingFrame frame = OutgoingFrame.builder().bytes(new byte[3], 0, 3).file(file, 9_990, 11).build();
    IOException read = assertThrows(IOException.class, frame::toArray);
    assertTrue(read.getMessage().contains("11 bytes at 9990") && read.getMessage().contains("10000"),
        "names the range and the file's size: " + read.getMessage());
    IOException checked = assertThrows(IOException.class, frame::checkFileRanges);
    assertTrue(checked.getMessage().contains("11 bytes at 9990") && checked.getMessage().contains("10000"),
        checked.getMessage());

    OutgoingFrame beyond = OutgoingFrame.builder().file(file, 20_000, 1).build();
    assertTrue(assertThrows(IOException.class, beyond::toArray).getMessage().contains("at 20000"));
    assertThrows(IOException.class, beyond::checkFileRanges);
  }

  @Test
  void builderBounds() {
    OutgoingFrame.Builder b = OutgoingFrame.builder();
    assertThrows(IndexOutOfBoundsException.class, () -> b.bytes(new byte[4], 2, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> b.bytes(new byte[4], -1, 1));
    assertThrows(IllegalArgumentException.class, () -> b.file(file, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> b.file(file, 0, -1));
    IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class,
        () -> b.file(file, Long.MAX_VALUE - 5, 10));
    assertTrue(overflow.getMessage().contains(Long.toString(Long.MAX_VALUE - 5)), overflow.getMessage());
    assertThrows(NullPointerException.class, () -> b.file(null, 0, 1));
    assertThrows(NullPointerException.class, () -> b.closing(null));

    // The frame's length must fit an array: ranges adding up past it are refused when added.
    OutgoingFrame.Builder big = OutgoingFrame.builder().file(file, 0, Integer.MAX_VALUE - 8);
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> big.file(file, 0, 1));
    assertTrue(tooLong.getMessage().contains(Integer.toString(Integer.MAX_VALUE - 8)), tooLong.getMessage());
    assertEquals(Integer.MAX_VALUE - 8, big.build().length(), "the refused piece was not added");
  }

  @Test
  void theDefaultSendReadsTheFrameClosesItAndReportsARangeItCannotRead() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    List<byte[]> sent = new java.util.ArrayList<>();
    Connection connection = new RecordingConnection(sent);
    OutgoingFrame good = OutgoingFrame.builder().bytes(new byte[] {1}, 0, 1).file(file, 10, 5)
        .closing(closes::incrementAndGet).build();
    connection.send(good).get(20, TimeUnit.SECONDS);
    assertArrayEquals(concat(new byte[] {1}, fileBytes(10, 5)), sent.get(0));
    assertEquals(1, closes.get());

    OutgoingFrame bad = OutgoingFrame.builder().file(file, 9_999, 2).closing(closes::incrementAndGet).build();
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> connection.send(bad).get(20, TimeUnit.SECONDS));
    TransportException te = assertInstanceOf(TransportException.class, e.getCause());
    assertEquals(TransportException.Kind.IO, te.kind());
    assertTrue(te.getMessage().contains("2 bytes at 9999"), te.getMessage());
    assertEquals(2, closes.get(), "a frame that failed is closed too");
    assertEquals(1, sent.size(), "nothing was sent for it");
  }

  /** A connection that records what it is asked to send: only the default method is under test. */
  private static final class RecordingConnection implements Connection {
    private final List<byte[]> sent;

    RecordingConnection(List<byte[]> sent) {
      this.sent = sent;
    }

    @Override
    public Endpoint remote() {
      return Endpoint.parse("mem://recording");
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> send(byte[] frame) {
      sent.add(frame);
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> closeFuture() {
      return new java.util.concurrent.CompletableFuture<>();
    }

    @Override
    public void close() {
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
