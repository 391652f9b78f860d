package io.peerlink.node.master;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The child JVM of {@link RangeFrameTest}: tries to lock the file named by its argument as a
 * second master's {@link Segment} would, and prints {@code locked} or {@code refused}.
 */
public final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      System.out.println(lock == null ? "refused" : "locked");
    }
  }
}
