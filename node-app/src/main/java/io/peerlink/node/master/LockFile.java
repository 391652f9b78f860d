package io.peerlink.node.master;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The one-master-per-directory lock: an exclusive lock on {@code chain/LOCK}, which holds the
 * locking process's pid.
 *
 * <p>A lock lives on an inode, not on a name: once {@code LOCK} is deleted or replaced, a second
 * master could lock the new file. Two things keep the directory ours then: every segment file is
 * locked too ({@link Segment}), so the second master is refused when it opens the first one; and
 * before every write the holder checks ({@link #verify}) that the name still leads to its inode,
 * and locks the file there again when it does not, so the clear refusal comes back.
 */
final class LockFile implements Closeable {
  private static final System.Logger LOG = System.getLogger(LockFile.class.getName());
  static final String NAME = "LOCK";

  private final Path path;
  private FileChannel channel;
  private Object fileKey;

  private LockFile(Path path, FileChannel channel, Object fileKey) {
    this.path = path;
    this.channel = channel;
    this.fileKey = fileKey;
  }

  /**
   * Locks {@code dir/LOCK}, creating it when missing.
   *
   * @throws IOException naming the directory and the holder's pid when another process holds it
   */
  static LockFile acquire(Path dir) throws IOException {
    Path path = dir.resolve(NAME);
    FileChannel channel = tryLock(path);
    if (channel == null) {
      throw new IOException("storage directory " + dir + " is in use by another master (" + path
          + " is locked" + holder(path) + "): each master needs its own storage_path");
    }
    return new LockFile(path, channel, keyOf(path));
  }

  /**
   * Checks that {@code LOCK} is still this process's locked file; re-locks it when it was deleted
   * or replaced by an unlocked file (logged at WARNING).
   *
   * @throws IOException when another process holds the file now at {@code LOCK} (a second master
   *     being refused, which the segment locks make sure of); the write is retried
   */
  synchronized void verify() throws IOException {
    Object current;
    try {
      current = keyOf(path);
      if (current == null && fileKey == null) {
        return; // no inode identity here: the name exists, which is all that can be checked
      }
    } catch (NoSuchFileException e) {
      current = null;
    }
    if (current != null && (fileKey == null || Objects.equals(current, fileKey))) {
      return;
    }
    String what = current == null ? "was deleted" : "was replaced by another file";
    FileChannel again = tryLock(path);
    if (again == null) {
      throw new IOException(path + " " + what + " and another process" + holder(path)
          + " holds the new file; the segments stay locked by this master, so it writes on once that process lets go");
    }
    FileChannel old = channel;
    channel = again;
    fileKey = keyOf(path);
    old.close(); // the old inode is unlinked: its lock protects nothing any more
    LOG.log(Level.WARNING, "chain log " + path + " " + what + "; locked it again (pid " + ProcessHandle.current().pid() + ")");
  }

  /** Opens and locks {@code path}; null when another process holds it. Writes our pid into it. */
  private static FileChannel tryLock(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // this JVM holds it through another channel
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return null;
    }
    try {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    } catch (IOException e) {
      // The pid is only for the message of a refused second master; the lock is what counts.
      LOG.log(Level.DEBUG, () -> "could not write the pid into " + path + ": " + e);
    }
    // The lock lives as long as the channel; the OS drops it when the process dies.
    return channel;
  }

  /** The inode identity; null on a file system without one (then only the name's existence is checked). */
  private static Object keyOf(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  /** " by pid N" from the file's content, or "" when it says nothing readable. */
  private static String holder(Path path) {
    try {
      byte[] bytes = Files.readAllBytes(path);
      String text = new String(bytes, 0, Math.min(bytes.length, 32), StandardCharsets.US_ASCII).trim();
      return text.matches("pid \\d+") ? " by " + text : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
