package io.peerlink.it.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The disk's limits for the sync benchmarks, measured in the directory the masters write: the
 * rate of small forced appends (fdatasync, what each group commit waits for) and the sequential
 * write rate (what large blocks stream at). Both bounded in bytes or count and in time; the
 * probe file is removed afterwards.
 */
final class DiskRates {
  private static final int PROBE_RECORD_BYTES = 200;
  private static final int WRITE_CHUNK_BYTES = 1 << 20;

  private DiskRates() {
  }

  /** Appends of {@link #PROBE_RECORD_BYTES}, each forced (fdatasync), per second, in {@code dir}. */
  static double fdatasyncPerSecond(Path dir, int maxCount, Duration maxTime) throws IOException {
    Path file = dir.resolve(".fdatasync-probe");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer record = ByteBuffer.allocate(PROBE_RECORD_BYTES);
      long t0 = System.nanoTime();
      long deadline = t0 + maxTime.toNanos();
      int count = 0;
      while (count < maxCount && System.nanoTime() < deadline) {
        record.clear();
        channel.write(record, (long) count * PROBE_RECORD_BYTES);
        channel.force(false);
        count++;
      }
      return count / ((System.nanoTime() - t0) / 1e9);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * MB/s (10^6 bytes) of a sequential write of at most {@code maxBytes} in 1 MiB chunks, forced
   * once at the end (the time includes the force, so the page cache does not flatter it); it
   * stops early at {@code maxTime}. Random bytes, in case the file system compresses.
   */
  static double sequentialWriteMbPerSecond(Path dir, long maxBytes, Duration maxTime) throws IOException {
    Path file = dir.resolve(".sequential-write-probe");
    byte[] chunk = new byte[WRITE_CHUNK_BYTES];
    new java.util.Random(42).nextBytes(chunk);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long t0 = System.nanoTime();
      long deadline = t0 + maxTime.toNanos();
      long written = 0;
      while (written < maxBytes && System.nanoTime() < deadline) {
        ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, maxBytes - written));
        while (buffer.hasRemaining()) {
          written += channel.write(buffer);
        }
      }
      channel.force(false);
      return written / 1e6 / ((System.nanoTime() - t0) / 1e9);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Waits until the file system holding {@code dir} has committed what was done to it ({@code
   * sync -f}, Linux's syncfs). Called after deleting a store: on ext4 mounted with {@code discard}
   * the freed blocks are trimmed when the journal next commits, up to 5 s later, in the middle of
   * whatever is measured next (a 1 GiB probe right after deleting 500 MB: 302-939 MB/s, against
   * 1,380-1,480 MB/s with the deletion committed first).
   */
  static void settle(Path dir) throws IOException {
    Process sync = new ProcessBuilder("sync", "-f", dir.toString()).redirectErrorStream(true).start();
    try {
      if (!sync.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        sync.destroyForcibly();
        throw new IOException("sync -f " + dir + " did not finish within 60 s");
      }
      if (sync.exitValue() != 0) {
        throw new IOException("sync -f " + dir + " exited with " + sync.exitValue() + ": "
            + new String(sync.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for sync -f " + dir, e);
    }
  }

  /**
   * Deletes {@code dir} and everything under it, then {@linkplain #settle settles} the file system
   * so that the deletion does not weigh on what runs next; a missing directory is fine.
   */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      settle(parent);
    }
  }
}
