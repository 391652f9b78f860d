package io.peerlink.node.master;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Blocks, marks and file surgery shared by the chain log's tests. */
final class ChainLogs {
  private ChainLogs() {}

  static byte[] data(long number) {
    return ("block-" + number).getBytes(UTF_8);
  }

  static StoredBlock block(long number) {
    return new StoredBlock(number, data(number));
  }

  static EpochMark mark(long epoch) {
    return new EpochMark(epoch, 1000 * epoch, 0);
  }

  /** Appends blocks one record each, with the mark's epoch = the block number / 10. */
  static void appendSingles(ChainStore store, long from, long to) throws IOException {
    for (long n = from; n <= to; n++) {
      store.append(mark(n / 10), List.of(block(n)));
    }
  }

  static long recordBytes(long number) {
    return WalRecord.HEADER_BYTES + WalRecord.payloadSize(List.of(block(number)));
  }

  /** Where block n's record starts in a first segment written by {@link #appendSingles}. */
  static long recordStart(long number) {
    long offset = Segment.HEADER_BYTES;
    for (long n = 1; n < number; n++) {
      offset += recordBytes(n);
    }
    return offset;
  }

  static List<Path> segmentFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  static void assertBlocks(ChainStore store, long from, long to) throws IOException {
    List<byte[]> blocks = store.read(from, to, Long.MAX_VALUE);
    assertEquals(to - from + 1, blocks.size());
    for (int i = 0; i < blocks.size(); i++) {
      assertArrayEquals(data(from + i), blocks.get(i), "block " + (from + i));
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x5A);
    }
  }
}
