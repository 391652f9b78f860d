package io.peerlink.node.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * The chain log's high-water mark: which segments must exist. Without it a deleted newest (or
 * oldest) segment looks like a shorter chain, and the blocks in it vanish without a word.
 *
 * <pre>
 * MANIFEST = "PLMANIF1" | u32 version(=1) | u64 oldestSequence | u64 newestSequence
 *          | u64 newestBaseBlock | u32 crc32c(preceding 36 bytes)                   (40 bytes)
 * </pre>
 *
 * Rewritten (a temporary file, forced, renamed over the old one, the directory forced) when a
 * segment is added, before any record goes into it, and when retention deletes segments, before
 * they are deleted. So on open every sequence from {@code oldestSequence} to
 * {@code newestSequence} must be present, and the newest must start after {@code newestBaseBlock};
 * a newer segment than the manifest names can only be one whose creation a crash interrupted.
 *
 * @param oldestSequence the oldest segment retention keeps
 * @param newestSequence the newest segment records may have been written into
 * @param newestBaseBlock the block before the newest segment's first (its header's base block)
 */
record Manifest(long oldestSequence, long newestSequence, long newestBaseBlock) {
  static final String NAME = "MANIFEST";
  private static final String TEMPORARY = "MANIFEST.tmp";
  static final int BYTES = 40;
  private static final int VERSION = 1;
  private static final byte[] MAGIC = {'P', 'L', 'M', 'A', 'N', 'I', 'F', '1'};

  /**
   * Reads {@code dir/MANIFEST}; empty when there is none (a new directory, or one written by a
   * build before the manifest).
   *
   * @throws CorruptLogException when the file is there but does not check out
   */
  static Optional<Manifest> read(Path dir) throws IOException {
    Path path = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (bytes.length != BYTES) {
      throw new CorruptLogException(path, 0, "the manifest is " + bytes.length + " bytes, expected " + BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptLogException(path, 0, "no PLMANIF1 header: not a chain log manifest");
    }
    if (in.getInt(BYTES - 4) != WalRecord.crc(bytes, 0, BYTES - 4)) {
      throw new CorruptLogException(path, 0, "manifest CRC32C mismatch");
    }
    int version = in.getInt(8);
    if (version != VERSION) {
      throw new CorruptLogException(path, 8, "manifest version " + version + ", this build reads " + VERSION);
    }
    return Optional.of(new Manifest(in.getLong(12), in.getLong(20), in.getLong(28)));
  }

  /** Replaces {@code dir/MANIFEST} with this one, durably (atomic rename, then a directory fsync). */
  void write(Path dir) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(BYTES);
    out.put(MAGIC).putInt(VERSION).putLong(oldestSequence).putLong(newestSequence).putLong(newestBaseBlock);
    out.putInt(WalRecord.crc(out.array(), 0, BYTES - 4));
    out.flip();
    replaceDurably(dir, TEMPORARY, NAME, out);
  }

  /**
   * Replaces {@code dir/name} with {@code bytes} atomically and durably: written to
   * {@code dir/temporary}, forced, renamed over {@code name}, the directory forced. A crash leaves
   * the old file or the new one, and at most a temporary file no reader looks at.
   */
  static void replaceDurably(Path dir, String temporary, String name, ByteBuffer bytes) throws IOException {
    Path path = dir.resolve(temporary);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (bytes.hasRemaining()) {
        channel.write(bytes, bytes.position());
      }
      channel.force(true);
    }
    Files.move(path, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    ChainStore.forceDirectory(dir);
  }

  Manifest withNewest(long sequence, long baseBlock) {
    return new Manifest(oldestSequence, sequence, baseBlock);
  }

  Manifest withOldest(long sequence) {
    return new Manifest(sequence, newestSequence, newestBaseBlock);
  }
}
