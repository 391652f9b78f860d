package io.peerlink.node.master;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainStoreTest {
  @TempDir Path dir;

  private static byte[] data(long number) {
    return ("block-" + number).getBytes(UTF_8);
  }

  private static StoredBlock block(long number) {
    return new StoredBlock(number, data(number));
  }

  private static EpochMark mark(long epoch) {
    return new EpochMark(epoch, 1000 * epoch, 0);
  }

  /** Appends blocks one record each, with the mark's epoch = the block number / 10. */
  private static void appendSingles(ChainStore store, long from, long to) throws IOException {
    for (long n = from; n <= to; n++) {
      store.append(mark(n / 10), List.of(block(n)));
    }
  }

  private static long recordBytes(long number) {
    return WalRecord.HEADER_BYTES + WalRecord.payloadSize(List.of(block(number)));
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static void assertBlocks(ChainStore store, long from, long to) throws IOException {
    List<byte[]> blocks = store.read(from, to, Long.MAX_VALUE);
    assertEquals(to - from + 1, blocks.size());
    for (int i = 0; i < blocks.size(); i++) {
      assertArrayEquals(data(from + i), blocks.get(i), "block " + (from + i));
    }
  }

  @Test
  void emptyStoreHasNoBlocksAndTheInitialMark() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 100, 10)) {
      assertEquals(0, store.lastBlock());
      assertEquals(1, store.firstBlock());
      assertEquals(EpochMark.INITIAL, store.mark());
      assertFalse(store.recovery().repaired());
    }
    assertEquals(1, segmentFiles().size());
  }

  @Test
  void appendsAreReadBackAndSurviveReopen() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 10)) {
      appendSingles(store, 1, 5);
      store.append(mark(7), List.of(block(6), block(7), block(8)));
      store.append(new EpochMark(9, 123, 8), List.of());
      assertEquals(8, store.lastBlock());
      assertBlocks(store, 1, 8);
      assertEquals(new EpochMark(9, 123, 8), store.mark());
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 10)) {
      assertEquals(8, store.lastBlock());
      assertBlocks(store, 1, 8);
      assertEquals(new EpochMark(9, 123, 8), store.mark());
      assertFalse(store.recovery().repaired());
      appendSingles(store, 9, 25);
      assertBlocks(store, 1, 25);
    }
    assertEquals(3, segmentFiles().size(), "25 blocks at 10 per segment");
    try (ChainStore store = ChainStore.open(dir, 1000, 10)) {
      assertBlocks(store, 1, 25);
      assertEquals(mark(2), store.mark());
    }
  }

  @Test
  void aNonContiguousAppendIsRefusedAndWritesNothing() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 10)) {
      appendSingles(store, 1, 3);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> store.append(mark(1), List.of(block(4), block(6))));
      assertTrue(e.getMessage().contains("block 6 does not continue the chain: expected block 5"), e.getMessage());
      assertEquals(3, store.lastBlock());
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 10)) {
      assertEquals(3, store.lastBlock());
      assertFalse(store.recovery().repaired());
    }
  }

  @Test
  void readsStopAtTheByteBudgetButReturnAtLeastOneBlock() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 4)) {
      appendSingles(store, 1, 12);
      assertEquals(1, store.read(1, 12, 1).size());
      int three = data(1).length * 3;
      assertEquals(3, store.read(1, 12, three).size());
      assertBlocks(store, 3, 11);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.read(5, 13, 1000));
      assertTrue(e.getMessage().contains("stored: blocks 1..12"), e.getMessage());
    }
  }

  @Test
  void aTornLastRecordIsCutOffOnOpen() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 10);
    }
    Path segment = segmentFiles().get(0);
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(size - recordBytes(10) / 2);
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertEquals(9, store.lastBlock());
      assertEquals(mark(0), store.mark());
      assertTrue(store.recovery().repaired());
      assertTrue(store.recovery().detail().contains("cut off"), store.recovery().detail());
      assertEquals(size - recordBytes(10), Files.size(segment), "the torn bytes are gone from the file");
      // The log continues cleanly after the repair.
      appendSingles(store, 10, 12);
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertFalse(store.recovery().repaired());
      assertBlocks(store, 1, 12);
    }
  }

  @Test
  void aFlippedCrcByteInTheLastRecordIsDetected() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 10);
    }
    Path segment = segmentFiles().get(0);
    long recordStart = Files.size(segment) - recordBytes(10);
    flipByte(segment, recordStart + 5);
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertEquals(9, store.lastBlock());
      assertTrue(store.recovery().detail().contains("CRC32C mismatch"), store.recovery().detail());
      assertEquals(recordBytes(10), store.recovery().discardedBytes());
      assertBlocks(store, 1, 9);
    }
  }

  @Test
  void aFlippedPayloadByteInTheLastRecordIsDetected() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 10);
    }
    Path segment = segmentFiles().get(0);
    flipByte(segment, Files.size(segment) - 1);
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertEquals(9, store.lastBlock());
      assertTrue(store.recovery().detail().contains("CRC32C mismatch"), store.recovery().detail());
    }
  }

  @Test
  void aZeroFilledTailIsCutOff() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 10);
    }
    Path segment = segmentFiles().get(0);
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(size + 4096); // what some file systems leave after a crash: zeros
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertEquals(10, store.lastBlock());
      assertEquals(4096, store.recovery().discardedBytes());
      assertTrue(store.recovery().detail().contains("record length 0 is impossible"), store.recovery().detail());
      assertEquals(size, Files.size(segment));
    }
  }

  @Test
  void damageBeforeTheTailRefusesToOpen() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      appendSingles(store, 1, 12);
    }
    Path first = segmentFiles().get(0);
    flipByte(first, Segment.HEADER_BYTES + 12);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
    assertTrue(e.getMessage().contains(first.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("at byte " + Segment.HEADER_BYTES), e.getMessage());
    assertTrue(e.getMessage().contains("CRC32C mismatch"), e.getMessage());
    // Refusing left the directory usable for another attempt (lock released, nothing changed).
    assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
  }

  @Test
  void aMissingMiddleSegmentRefusesToOpen() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      appendSingles(store, 1, 12);
    }
    List<Path> files = segmentFiles();
    assertEquals(3, files.size());
    Files.delete(files.get(1));
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
    assertTrue(e.getMessage().contains("starts after block 10 but " + files.get(0).getFileName() + " ends at block 5"),
        e.getMessage());
  }

  @Test
  void aHalfCreatedNewestSegmentIsDiscarded() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      appendSingles(store, 1, 5);
    }
    // A crash right after creating the next segment: only part of its header made it.
    Path torn = dir.resolve(Segment.fileName(2));
    Files.write(torn, new byte[] {'P', 'L', 'C', 'H'});
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      assertEquals(5, store.lastBlock());
      assertTrue(store.recovery().detail().contains("half-created segment"), store.recovery().detail());
      assertFalse(Files.exists(torn));
      appendSingles(store, 6, 7);
      assertBlocks(store, 1, 7);
    }
  }

  @Test
  void aBadHeaderWithRecordsAfterItRefusesToOpen() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 3);
    }
    Path only = segmentFiles().get(0);
    flipByte(only, 13); // inside the header's base block
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 100));
    assertTrue(e.getMessage().contains("header CRC32C mismatch"), e.getMessage());
    assertTrue(Files.exists(only), "a segment holding records is never discarded");
  }

  @Test
  void retentionDeletesWholeOldSegmentsAndKeepsTheNewestBlocks() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 10, 5)) {
      appendSingles(store, 1, 30);
      // Segments hold 1-5, 6-10, ...; 21..30 are the newest ten, so 1..20 go.
      assertEquals(21, store.firstBlock());
      assertEquals(30, store.lastBlock());
      assertBlocks(store, 21, 30);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.read(20, 22, 1000));
      assertTrue(e.getMessage().contains("stored: blocks 21..30"), e.getMessage());
      appendSingles(store, 31, 31);
      assertEquals(21, store.firstBlock(), "the segment 21-25 still holds a block among the newest ten");
    }
    assertEquals(3, segmentFiles().size());
    try (ChainStore store = ChainStore.open(dir, 10, 5)) {
      assertEquals(21, store.firstBlock());
      assertEquals(31, store.lastBlock());
      assertEquals(mark(3), store.mark(), "the mark survives retention (the newest record carries it)");
    }
    // A smaller retention on the next start applies at once: 29..31 are the newest three, so
    // the segment 21-25 goes and 26-30 stays.
    try (ChainStore store = ChainStore.open(dir, 3, 5)) {
      assertEquals(26, store.firstBlock());
      assertBlocks(store, 26, 31);
    }
    assertEquals(2, segmentFiles().size());
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 100, 10)) {
      IOException e = assertThrows(IOException.class, () -> ChainStore.open(dir, 100, 10));
      assertTrue(e.getMessage().contains("is in use by another master"), e.getMessage());
      assertEquals(0, store.lastBlock());
    }
    try (ChainStore store = ChainStore.open(dir, 100, 10)) {
      assertEquals(0, store.lastBlock(), "the lock is released on close");
    }
  }

  @Test
  void readersRunAlongsideAppendsAndRetention() throws Exception {
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    try (ChainStore store = ChainStore.open(dir, 50, 10)) {
      Thread reader = new Thread(() -> {
        try {
          while (!Thread.currentThread().isInterrupted()) {
            long last = store.lastBlock();
            if (last == 0) {
              continue;
            }
            long from = Math.max(1, last - 4);
            List<byte[]> blocks;
            try {
              blocks = store.read(from, last, Long.MAX_VALUE);
            } catch (IllegalArgumentException e) {
              if (store.firstBlock() > from) {
                continue; // retention overtook this reader between its two calls
              }
              throw e;
            }
            for (int i = 0; i < blocks.size(); i++) {
              assertArrayEquals(data(from + i), blocks.get(i));
            }
          }
        } catch (java.io.InterruptedIOException e) {
          // interrupt() landed inside a read: the normal way this reader ends
        } catch (Throwable t) {
          readerFailure.set(t);
        }
      });
      reader.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      for (long n = 1; n <= 400 && System.nanoTime() < deadline; n++) {
        store.append(mark(1), List.of(block(n)));
      }
      reader.interrupt();
      reader.join(Duration.ofSeconds(10).toMillis());
      assertFalse(reader.isAlive());
      if (readerFailure.get() != null) {
        throw new AssertionError("reader failed", readerFailure.get());
      }
      assertTrue(store.firstBlock() > 1, "retention ran");
      // The interrupt may have landed in a read and closed that channel: the store still reads.
      assertBlocks(store, store.lastBlock() - 9, store.lastBlock());
    }
  }

  @Test
  void anInterruptedReaderDoesNotBreakTheStore() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 20);
      Thread.currentThread().interrupt();
      try {
        assertThrows(java.io.InterruptedIOException.class, () -> store.read(1, 20, Long.MAX_VALUE));
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt status is kept");
      }
      assertBlocks(store, 1, 20);
      appendSingles(store, 21, 21);
    }
  }

  @Test
  void anInterruptedWriterLeavesNothingBehindAndTheStoreWritable() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 5);
      Thread.currentThread().interrupt();
      try {
        assertThrows(java.io.InterruptedIOException.class, () -> store.append(mark(0), List.of(block(6))));
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt status is kept");
      }
      assertEquals(5, store.lastBlock());
      appendSingles(store, 6, 7);
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertFalse(store.recovery().repaired());
      assertBlocks(store, 1, 7);
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x5A);
    }
  }
}
