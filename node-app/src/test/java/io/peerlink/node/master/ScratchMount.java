package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test, to fill up: a real full disk. Needs root (CAP_SYS_ADMIN); without it the test is skipped, saying so.
 */
final class ScratchMount implements AutoCloseable {
  final Path path;

  private ScratchMount(Path path) {
    this.path = path;
  }

  /** Mounts a tmpfs of {@code kilobytes} at a new directory under {@code parent}, or skips the test. */
  static ScratchMount tmpfs(Path parent, int kilobytes) throws IOException, InterruptedException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "mounting a small tmpfs to fill up needs root; running as " + System.getProperty("user.name"));
    Path path = Files.createDirectory(parent.resolve("mnt"));
    String failure = run("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k", "tmpfs", path.toString());
    Assumptions.assumeTrue(failure == null, () -> "mount -t tmpfs failed (a container without CAP_SYS_ADMIN?): " + failure);
    return new ScratchMount(path);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    String failure = run("umount", "-l", path.toString());
    assertEquals(null, failure, "umount " + path);
  }

  /**
   * Makes a directory refuse new and deleted entries while its files stay writable: {@code
   * chattr +i} as root (root ignores permission bits), mode 0555 otherwise.
   */
  static void freezeEntries(Path dir, boolean frozen) throws IOException, InterruptedException {
    if ("root".equals(System.getProperty("user.name"))) {
      String failure = run("chattr", frozen ? "+i" : "-i", dir.toString());
      Assumptions.assumeTrue(failure == null || !frozen, () -> "chattr +i failed (no ext4/xfs here?): " + failure);
      assertEquals(null, failure, "chattr -i " + dir);
    } else {
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString(frozen ? "r-xr-xr-x" : "rwx------"));
    }
  }

  /** Runs a command to its end (10 s at most); null when it succeeded, else its output. */
  private static String run(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of(command));
    Process process;
    try {
      process = new ProcessBuilder(line).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return String.join(" ", line) + " did not finish within 10 s";
    }
    String output = new String(process.getInputStream().readAllBytes()).trim();
    return process.exitValue() == 0 ? null : String.join(" ", line) + ": exit " + process.exitValue() + ": " + output;
  }
}
