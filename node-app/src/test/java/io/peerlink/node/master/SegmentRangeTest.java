package io.peerlink.node.master;

import static io.peerlink.node.master.ChainLogs.appendSingles;
import static io.peerlink.node.master.ChainLogs.data;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored range, located but not read: its lengths and byte budget as {@link ChainStore#read}'s,
 * each block read into a caller's array at any offset (across segments), and the segments' read
 * lock given back once closed, so the writer (and retention) go on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a range that kept its read lock would hang the append below
class SegmentRangeTest {
  @TempDir Path dir;

  @Test
  void blocksAreReadIntoTheCallersArrayAtTheirPlaces() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 4)) {
      appendSingles(store, 1, 12);
      byte[] answer;
      int[] at = new int[9];
      try (SegmentRange range = store.range(3, 11, Long.MAX_VALUE)) {
        assertEquals(9, range.count(), "blocks 3..11, over three segments of 4");
        int size = 7; // bytes before the first block, as an answer's header
        for (int i = 0; i < range.count(); i++) {
          assertEquals(data(3 + i).length, range.length(i));
          at[i] = size;
          size += range.length(i) + 2;
        }
        answer = new byte[size];
        for (int i = range.count() - 1; i >= 0; i--) { // any order: each block has its own place
          range.read(i, answer, at[i]);
        }
      }
      for (int i = 0; i < at.length; i++) {
        byte[] expected = data(3 + i);
        assertArrayEquals(expected, Arrays.copyOfRange(answer, at[i], at[i] + expected.length), "block " + (3 + i));
      }
      appendSingles(store, 13, 13); // the writer's lock is free again
      assertEquals(13, store.lastBlock());
    }
  }

  @Test
  void theByteBudgetCutsTheRangeAsReadDoes() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 4)) {
      appendSingles(store, 1, 12);
      int three = data(1).length * 3;
      try (SegmentRange range = store.range(1, 12, three)) {
        assertEquals(store.read(1, 12, three).size(), range.count());
      }
      try (SegmentRange one = store.range(1, 12, 1)) {
        assertEquals(1, one.count(), "at least one block, whatever the budget");
      }
    }
  }

  @Test
  void aClosedRangeReadsNothingAndClosesOnce() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 4)) {
      appendSingles(store, 1, 3);
      SegmentRange range = store.range(1, 3, Long.MAX_VALUE);
      range.close();
      range.close(); // the lock is given back once
      assertThrows(IllegalStateException.class, () -> range.read(0, new byte[64], 0));
      appendSingles(store, 4, 4);
      assertEquals(4, store.lastBlock());
    }
  }
}
