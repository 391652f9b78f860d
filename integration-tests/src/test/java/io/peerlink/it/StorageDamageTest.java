package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged master against a damaged or shared store: a flipped bit in the middle of the
 * newest segment and a deleted newest segment refuse to start, naming the file and the offset,
 * with every byte left in place; a deleted LOCK does not let a second master in.
 */
class StorageDamageTest {
  private static final Duration STEP = SeedScenario.STEP;
  private static final int BLOCKS = 600;

  @Test
  void damageRefusesToStartAndADeletedLockKeepsASecondMasterOut() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(), Map.of());
      String query = "unix://" + cluster.receiveSocket(0);
      Path chain = cluster.dir.resolve("n0-data").resolve("chain");
      NodeProcess master = cluster.startNode("master", List.of(), 0, "--master-only", "--config", config.toString());
      cluster.feed(0, 2, 1, BLOCKS);
      cluster.awaitBlock(List.of(), query, BLOCKS, STEP);

      // LOCK deleted under a running master: a second one is still refused, the first writes on.
      Files.delete(chain.resolve("LOCK"));
      Path other = cluster.writeConfig(1, LoopbackPorts.pick(), "127.0.0.1", List.of(),
          Map.of("storage_path", "\"" + cluster.dir.resolve("n0-data") + "\""));
      NodeProcess.Result second = NodeProcess.run("second", STEP, "run", "--master-only", "--config", other.toString());
      assertEquals(1, second.exitCode(), second.output());
      assertTrue(second.has("is in use by another master"), second.output());
      cluster.feed(0, 2, BLOCKS + 1, BLOCKS + 10);
      cluster.awaitBlock(List.of(), query, BLOCKS + 10, STEP);
      assertEquals(143, master.stop(STEP), master.output());

      Path segment = onlySegment(chain);
      byte[] intact = Files.readAllBytes(segment);
      long middle = middleRecordOffset(intact);
      flip(segment, middle + 20);
      byte[] damaged = Files.readAllBytes(segment);
      NodeProcess.Result corrupt = NodeProcess.run("corrupt", STEP, "run", "--master-only", "--config", config.toString());
      assertEquals(1, corrupt.exitCode(), corrupt.output());
      assertTrue(corrupt.has(Pattern.quote(segment.toString()) + " is corrupt at byte " + middle + ": record CRC32C mismatch"),
          corrupt.output());
      assertTrue(corrupt.has("a valid record follows"), corrupt.output());
      assertArrayEquals(damaged, Files.readAllBytes(segment), "nothing was cut");

      Files.write(segment, intact);
      Path aside = cluster.dir.resolve("aside.seg");
      Files.move(segment, aside);
      NodeProcess.Result missing = NodeProcess.run("missing", STEP, "run", "--master-only", "--config", config.toString());
      assertEquals(1, missing.exitCode(), missing.output());
      assertTrue(missing.has(Pattern.quote(segment.toString()) + " is corrupt at byte 0: the newest segment is missing"),
          missing.output());

      Files.move(aside, segment);
      cluster.startNode("restored", List.of(), 0, "--master-only", "--config", config.toString());
      cluster.awaitBlock(List.of(), query, BLOCKS + 10, STEP);
    }
  }

  private static Path onlySegment(Path chain) throws Exception {
    try (Stream<Path> files = Files.list(chain)) {
      List<Path> segments = files.filter(p -> p.toString().endsWith(".seg")).toList();
      assertEquals(1, segments.size(), segments.toString());
      return segments.get(0);
    }
  }

  /**
   * The offset of a record in the middle of a segment (a 48-byte header, then u32 length | u32 crc
   * | payload), with at least one record after it. Commits that arrive together share a record
   * (group commit), so the count of records depends on timing; the two feeds make at least two.
   */
  private static long middleRecordOffset(byte[] segment) {
    ByteBuffer in = ByteBuffer.wrap(segment);
    List<Integer> offsets = new java.util.ArrayList<>();
    for (int offset = 48; offset < segment.length; offset += 8 + in.getInt(offset)) {
      offsets.add(offset);
    }
    assertTrue(offsets.size() >= 2, "records in the segment: " + offsets);
    return offsets.get((offsets.size() - 1) / 2);
  }

  private static void flip(Path file, long offset) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x01);
    }
  }
}
