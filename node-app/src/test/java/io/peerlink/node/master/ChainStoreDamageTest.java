package io.peerlink.node.master;

import static io.peerlink.node.master.ChainLogs.appendSingles;
import static io.peerlink.node.master.ChainLogs.assertBlocks;
import static io.peerlink.node.master.ChainLogs.segmentFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files removed, replaced or damaged outside the master: a missing newest, oldest or middle
 * segment, a damaged manifest, a replaced segment, and a deleted or replaced LOCK. Each is
 * refused (or, for LOCK, survived) with the file named and nothing cut.
 */
class ChainStoreDamageTest {
  @TempDir Path dir;

  /** 12 blocks, 5 per segment: segments 1 (1-5), 2 (6-10), 3 (11-12). */
  private List<Path> threeSegments() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      appendSingles(store, 1, 12);
    }
    List<Path> files = segmentFiles(dir);
    assertEquals(3, files.size());
    return files;
  }

  @Test
  void aMissingNewestSegmentRefusesToOpen() throws IOException {
    List<Path> files = threeSegments();
    Files.delete(files.get(2));
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
    assertTrue(e.getMessage().contains(files.get(2) + " is corrupt at byte 0: the newest segment is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("holding the blocks after block 10"), e.getMessage());
    assertEquals(2, segmentFiles(dir).size(), "nothing else was touched");
  }

  @Test
  void theOnlySegmentMissingRefusesToOpenRatherThanStartEmpty() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 1000, 100)) {
      appendSingles(store, 1, 5);
    }
    Files.delete(segmentFiles(dir).get(0));
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 100));
    assertTrue(e.getMessage().contains("the newest segment is missing"), e.getMessage());
    assertTrue(segmentFiles(dir).isEmpty(), "no empty segment was created in its place");
  }

  @Test
  void aMissingOldestSegmentRefusesToOpen() throws IOException {
    List<Path> files = threeSegments();
    Files.delete(files.get(0));
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
    assertTrue(e.getMessage().contains(files.get(0) + " is corrupt at byte 0: the segment is missing"), e.getMessage());
  }

  @Test
  void aSegmentReplacedByAnotherRefusesToOpen() throws IOException {
    List<Path> files = threeSegments();
    Files.copy(files.get(1), files.get(2), StandardCopyOption.REPLACE_EXISTING);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
    assertTrue(e.getMessage().contains("it was replaced"), e.getMessage());
  }

  @Test
  void aDamagedManifestRefusesToOpen() throws IOException {
    threeSegments();
    ChainLogs.flipByte(dir.resolve(Manifest.NAME), 21);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
    assertTrue(e.getMessage().contains(dir.resolve(Manifest.NAME) + " is corrupt at byte 0: manifest CRC32C mismatch"),
        e.getMessage());
  }

  @Test
  void aStoreWithoutAManifestGetsOneAndIsCheckedFromThenOn() throws IOException {
    List<Path> files = threeSegments();
    Files.delete(dir.resolve(Manifest.NAME)); // as a build before the manifest left it
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      assertBlocks(store, 1, 12);
    }
    assertEquals(new Manifest(1, 3, 10), Manifest.read(dir).orElseThrow());
    Files.delete(files.get(2));
    assertThrows(CorruptLogException.class, () -> ChainStore.open(dir, 1000, 5));
  }

  @Test
  void theManifestFollowsNewSegmentsAndRetention() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 6, 5)) {
      assertEquals(new Manifest(1, 1, 0), Manifest.read(dir).orElseThrow());
      appendSingles(store, 1, 6);
      assertEquals(new Manifest(1, 2, 5), Manifest.read(dir).orElseThrow(), "named before block 6 went in");
      appendSingles(store, 7, 12);
      assertEquals(6, store.firstBlock());
      assertEquals(new Manifest(2, 3, 10), Manifest.read(dir).orElseThrow());
    }
  }

  @Test
  void segmentsRetentionLetGoOfBeforeACrashAreDeletedOnOpen() throws IOException {
    List<Path> files = threeSegments();
    // A crash after the manifest let go of segment 1 but before the file was deleted.
    new Manifest(2, 3, 10).write(dir);
    try (ChainStore store = ChainStore.open(dir, 1000, 5)) {
      assertEquals(6, store.firstBlock());
      assertBlocks(store, 6, 12);
    }
    assertFalse(Files.exists(files.get(0)));
  }

  @Test
  void aSecondOpenIsRefusedEvenWhenLockWasDeletedOrReplaced() throws IOException {
    try (ChainStore store = ChainStore.open(dir, 100, 10)) {
      appendSingles(store, 1, 3);
      Path lock = dir.resolve(LockFile.NAME);
      Files.delete(lock);
      IOException deleted = assertThrows(IOException.class, () -> ChainStore.open(dir, 100, 10));
      assertTrue(deleted.getMessage().contains("is in use by another master"), deleted.getMessage());
      Files.writeString(lock, "pid 1\n"); // replaced by a file nobody locks
      IOException replaced = assertThrows(IOException.class, () -> ChainStore.open(dir, 100, 10));
      assertTrue(replaced.getMessage().contains("is in use by another master"), replaced.getMessage());
      // The holder locks the file at LOCK again before its next write, and writes on.
      Files.delete(lock);
      appendSingles(store, 4, 4);
      assertTrue(Files.exists(lock));
      assertEquals("pid " + ProcessHandle.current().pid(), Files.readString(lock).trim());
      IOException again = assertThrows(IOException.class, () -> ChainStore.open(dir, 100, 10));
      assertTrue(again.getMessage().contains(lock + " is locked by pid " + ProcessHandle.current().pid()), again.getMessage());
      assertBlocks(store, 1, 4);
    }
  }
}
