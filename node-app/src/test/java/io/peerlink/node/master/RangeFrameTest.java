package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.node.TestNodes;
import io.peerlink.transport.api.OutgoingFrame;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master's get_blocks_range answer as a frame: its header bytes and small blocks in one array,
 * and each block of 16 KiB or more as the range of its segment file that holds it. Read whole it is the answer the master encoded
 * before (small and 100 KB blocks, within a segment and across segments); it keeps its segments'
 * channels open after the store let go of them, until it is closed; and serving it never drops a
 * segment's writer lock, which a second master would otherwise take, nor leaves it dropped after an
 * interrupt closed the shared channel.
 */
class RangeFrameTest {
  private static final int PER_SEGMENT = 8;

  @TempDir Path storage;
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  @RegisterExtension final OpenedChains chains = new OpenedChains();

  /** Blocks 1..last in segments of 8; a third of them 100 KB. */
  private ChainState chain(int last) throws Exception {
    ChainState state = chains.track(ChainState.open(storage,
        TestNodes.chainOptions(ChainOptions.KEEP_ALL, PER_SEGMENT, 1024, 1024, 1L << 30), clock::get));
    MixedBlocks.extend(state, last, clock.get());
    return state;
  }

  /** The answer's frame, as the responder builds it, closing the store's range after as it does. */
  private static OutgoingFrame frame(ChainState state, long from, long to) throws Exception {
    try (EncodedBlocks blocks = state.encodedBlocks(from, to)) {
      return Response.BlocksRange.frameOf(blocks, blocks.count());
    }
  }

  private static byte[] decodedThenEncoded(ChainState state, long from, long to) throws Exception {
    return Response.BlocksRange.of(state.blocksRange(from, to)).encode();
  }

  /** Blocks from this size up are sent as file ranges; smaller ones are read into the answer's array. */
  private static final int LARGE = 16 * 1024;

  private static int largeBlocks(ChainState state, long from, long to) throws Exception {
    int large = 0;
    try (EncodedBlocks blocks = state.encodedBlocks(from, to)) {
      for (int i = 0; i < blocks.count(); i++) {
        large += blocks.length(i) >= LARGE ? 1 : 0;
      }
    }
    return large;
  }

  private static Set<FileChannel> channels(OutgoingFrame frame) {
    Set<FileChannel> out = new LinkedHashSet<>();
    for (OutgoingFrame.Piece p : frame.pieces()) {
      if (p instanceof OutgoingFrame.FileRange r) {
        out.add(r.channel());
      }
    }
    return out;
  }

  @Test
  void readWholeTheFrameIsTheAnswerWithinOneSegmentAndAcross() throws Exception {
    ChainState state = chain(40);
    // One small block, one of 100 KB, one with unknown fields; within a segment of 8; across several.
    long[][] ranges = {{3, 3}, {4, 4}, {5, 5}, {2, 7}, {9, 16}, {3, 30}, {1, 40}, {17, 17}};
    for (long[] r : ranges) {
      String range = r[0] + ".." + r[1];
      try (OutgoingFrame frame = frame(state, r[0], r[1])) {
        assertArrayEquals(decodedThenEncoded(state, r[0], r[1]), frame.toArray(), range);
        int large = largeBlocks(state, r[0], r[1]);
        assertEquals(large > 0, frame.hasFileRanges(), range);
        byte[] inline = null;
        int fileRanges = 0;
        for (OutgoingFrame.Piece p : frame.pieces()) {
          if (p instanceof OutgoingFrame.Bytes b) {
            if (inline == null) {
              inline = b.array();
            }
            assertSame(inline, b.array(), range + ": headers and small blocks are pieces of the answer's one array");
          } else {
            fileRanges++;
            assertTrue(p.length() >= LARGE, range + ": only a large block is a file range: " + p.length());
          }
        }
        assertEquals(large, fileRanges, range + ": each block of 16 KiB or more is a range of its segment");
        long blocks = r[1] - r[0] + 1;
        assertTrue(channels(frame).size() <= blocks / PER_SEGMENT + 2, range + ": one channel per segment");
        assertEquals(decodedThenEncoded(state, r[0], r[1]).length, frame.length(), range);
      }
    }
    try (OutgoingFrame across = frame(state, 1, 40)) {
      // Segments roll after the record that fills them, and blocks are synced in records of 16.
      assertTrue(channels(across).size() >= 3, "1..40 spans segments: " + channels(across).size());
    }
  }

  @Test
  void theFrameHoldsItsSegmentsOpenUntilItIsClosed() throws Exception {
    ChainState state = chain(30);
    byte[] expected = decodedThenEncoded(state, 5, 20);

    OutgoingFrame first = frame(state, 5, 20);
    Set<FileChannel> shared = channels(first);
    first.close();
    for (FileChannel c : shared) {
      assertTrue(c.isOpen(), "the segments still hold their channel: closing it would drop their writer lock");
    }
    OutgoingFrame second = frame(state, 5, 20);
    assertEquals(shared, channels(second), "answers share each segment's channel");
    state.close(); // the store lets go of its segments, as retention does of a pruned one
    for (FileChannel c : channels(second)) {
      assertTrue(c.isOpen(), "the unsent frame still holds its channels");
    }
    assertArrayEquals(expected, second.toArray(), "and sends the bytes it was built from");
    second.close();
    second.close(); // once
    for (FileChannel c : channels(second)) {
      assertFalse(c.isOpen(), "the last holder closed it");
    }
  }

  @Test
  void servingRangesKeepsEverySegmentsWriterLock() throws Exception {
    ChainState state = chain(30);
    for (int i = 0; i < 5; i++) {
      try (OutgoingFrame frame = frame(state, 1, 30)) {
        frame.toArray(); // read as a transport without sendfile does, then closed as when sent
      }
    }
    List<Path> segments = segments();
    assertTrue(segments.size() >= 2, segments.toString());
    for (Path segment : segments) {
      assertEquals("refused", lockFromAnotherProcess(segment), segment + " is still locked against a second master");
    }
  }

  @Test
  void anInterruptedSendClosesTheSharedChannelOnlyUntilTheNextAnswer() throws Exception {
    ChainState state = chain(30);
    byte[] expected = decodedThenEncoded(state, 5, 20);
    OutgoingFrame interrupted = frame(state, 5, 20);
    Thread.currentThread().interrupt(); // as a transport's thread interrupted while it reads the frame
    try {
      assertThrows(ClosedByInterruptException.class, interrupted::toArray);
    } finally {
      Thread.interrupted();
      interrupted.close();
    }
    try (OutgoingFrame next = frame(state, 5, 20)) {
      assertArrayEquals(expected, next.toArray(), "the next answer reopens the segment's channel");
    }
    assertArrayEquals(expected, Response.BlocksRange.of(state.blocksRange(5, 20)).encode(), "and reads read on");
    for (Path segment : segments()) {
      assertEquals("refused", lockFromAnotherProcess(segment), segment + ": the reopen took the writer lock again");
    }
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.walk(storage)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  /** What {@link LockProbe} in a child JVM says of locking {@code file}. */
  private static String lockFromAnotherProcess(Path file) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), file.toString())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the lock probe ends");
    return new String(p.getInputStream().readAllBytes()).trim();
  }
}
