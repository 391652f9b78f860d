package io.peerlink.node.master;

import static java.nio.charset.StandardCharsets.UTF_8;
import static io.peerlink.node.master.ChainLogs.appendSingles;
import static io.peerlink.node.master.ChainLogs.assertBlocks;
import static io.peerlink.node.master.ChainLogs.block;
import static io.peerlink.node.master.ChainLogs.data;
import static io.peerlink.node.master.ChainLogs.flipByte;
import static io.peerlink.node.master.ChainLogs.mark;
import static io.peerlink.node.master.ChainLogs.recordBytes;
import static io.peerlink.node.master.ChainLogs.recordStart;
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

  private List<Path> segmentFiles() throws IOException {
    return ChainLogs.segmentFiles(dir);
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
  void aFlippedBitInTheLastCompleteRecordRefusesToOpenAndLeavesTheBytes() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 10);
    }
    Path segment = segmentFiles().get(0);
    long recordStart = Files.size(segment) - recordBytes(10);
    // The CRC itself, then the payload's last byte: a record written whole and damaged since, so
    // it may have been reported applied. Cutting it would drop a confirmed block.
    for (long offset : new long[] {recordStart + 5, Files.size(segment) - 1}) {
      flipByte(segment, offset);
      byte[] before = Files.readAllBytes(segment);
      CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 100));
      assertTrue(e.getMessage().contains(segment + " is corrupt at byte " + recordStart), e.getMessage());
      assertTrue(e.getMessage().contains("CRC32C mismatch"), e.getMessage());
      assertTrue(e.getMessage().contains("truncate -s " + recordStart + " " + segment), e.getMessage());
      assertArrayEquals(before, Files.readAllBytes(segment), "the bytes are left in place");
      flipByte(segment, offset);
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertFalse(store.recovery().repaired());
      assertBlocks(store, 1, 10);
    }
  }

  @Test
  void aFlippedBitInTheMiddleOfTheNewestSegmentRefusesToOpenAndKeepsTheRecordsAfterIt() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 40);
    }
    Path segment = segmentFiles().get(0);
    long record20 = recordStart(20);
    flipByte(segment, record20 + WalRecord.HEADER_BYTES + 30);
    byte[] before = Files.readAllBytes(segment);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 100));
    assertTrue(e.getMessage().contains(segment + " is corrupt at byte " + record20), e.getMessage());
    assertTrue(e.getMessage().contains("a valid record follows at byte " + (record20 + recordBytes(20))), e.getMessage());
    assertTrue(e.getMessage().contains("Blocks up to 19 check out"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(segment), "the 20 records after the damage are still there");
  }

  @Test
  void aLengthRunningPastTheEndWithValidRecordsAfterItIsCorruptionNotATornTail() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 10);
    }
    Path segment = segmentFiles().get(0);
    long record5 = recordStart(5);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(record5);
      file.writeInt((int) file.length()); // a flipped length that now runs past the end of the file
    }
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 100));
    assertTrue(e.getMessage().contains("at byte " + record5), e.getMessage());
    assertTrue(e.getMessage().contains("a valid record follows"), e.getMessage());
  }

  @Test
  void aCompleteLastRecordWithAZeroSectorIsATornWriteAndIsCutOff() throws IOException {
    byte[] big = new byte[3000];
    java.util.Arrays.fill(big, (byte) 7);
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 3);
      store.append(mark(0), List.of(new StoredBlock(4, big)));
    }
    Path segment = segmentFiles().get(0);
    long size = Files.size(segment);
    long recordStart = size - WalRecord.HEADER_BYTES - WalRecord.payloadSize(List.of(new StoredBlock(4, big)));
    // The file system grew the file but never wrote the record's last sectors: zeros.
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(size - 1500);
      file.write(new byte[1500]);
    }
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      assertEquals(3, store.lastBlock());
      assertTrue(store.recovery().detail().contains("torn tail at byte " + recordStart), store.recovery().detail());
      assertEquals(recordStart, Files.size(segment));
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
    assertTrue(e.getMessage().contains(files.get(1) + " is corrupt at byte 0: the segment is missing"), e.getMessage());
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
}
