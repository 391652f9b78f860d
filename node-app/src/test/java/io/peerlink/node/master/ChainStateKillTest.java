package io.peerlink.node.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.node.TestNodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit the master reported applied survives {@code kill -9}: a child JVM applies commits as
 * fast as it can and prints each one applied; it is killed with SIGKILL mid-stream (twice, the
 * second time after recovering from the first), and the reopened chain holds every reported
 * commit, chained and readable.
 */
class ChainStateKillTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String END = "<eof>";

  @TempDir Path storage;
  /** The child's mode: {@code single} waits for each commit, {@code grouped} keeps a window in flight. */
  private String mode = "single";
  /** {@code group B} lines (B &gt; 1) the child printed before the kill. */
  private int groupsSeen;
  @TempDir Path reports;
  private Path reportFile;

  @Test
  void everyCommitReportedAppliedSurvivesSigkill() throws Exception {
    long reported = 0;
    for (int round = 1; round <= 2; round++) {
      long before = reported;
      reported = runAndKill(reported + 150, round);
      assertTrue(reported >= before + 150, "round " + round + ": the child reported up to " + reported);
      try (ChainState state = ChainState.open(storage, TestNodes.chainOptions(100_000, 64, 1024, 1024, 1 << 20))) {
        long last = state.lastBlockNumber();
        assertTrue(last >= reported, "round " + round + ": reopened at block " + last
            + " but the child reported commit " + reported + " applied");
        // Not more than one commit beyond: the one in flight when the kill landed, durable but unreported.
        assertTrue(last <= reported + 1, "round " + round + ": block " + last + " was never applied");
        assertChained(state, last);
        assertTrue(state.currentEpoch() >= 1 + reported / 50, "epoch " + state.currentEpoch());
      }
    }
  }

  /**
   * Commits submitted without waiting share group commits; a kill mid-stream (so mid-group: each
   * group is one record, written while the next fills) loses only commits not yet acknowledged:
   * every one reported applied is there, chained, and nothing past the last one submitted.
   */
  @Test
  void aKillMidGroupLosesOnlyUnacknowledgedCommits() throws Exception {
    mode = "grouped";
    long reported = 0;
    for (int round = 1; round <= 2; round++) {
      long before = reported;
      groupsSeen = 0;
      reported = runAndKill(reported + 3000, round);
      assertTrue(groupsSeen > 0, "round " + round + ": commits shared a group before the kill");
      try (ChainState state = ChainState.open(storage, TestNodes.chainOptions(100_000, 64, 1024, 1024, 1 << 20))) {
        long last = state.lastBlockNumber();
        assertTrue(last >= reported, "round " + round + ": reopened at block " + last
            + " but the child reported commit " + reported + " applied");
        assertTrue(last <= reported + ChainWriterProcess.WINDOW, "round " + round + ": block " + last
            + " was never submitted (at most " + ChainWriterProcess.WINDOW + " beyond the last reported)");
        assertTrue(reported >= before + 3000);
        assertChained(state, last);
      }
    }
  }

  @Test
  void aSecondMasterIsRefusedWhileTheFirstWritesEvenWhenLockIsDeletedOrReplaced() throws Exception {
    Path lock = storage.resolve(ChainState.CHAIN_DIRECTORY).resolve(LockFile.NAME);
    long reported = runAndKill(200, 1, () -> {
      for (String how : new String[] {"deleted", "replaced"}) {
        Files.deleteIfExists(lock);
        if (how.equals("replaced")) {
          Files.writeString(lock, "not a lock\n");
        }
        // A second master in another process: the first still holds every segment's lock.
        IOException e = assertThrows(IOException.class,
            () -> ChainState.open(storage, TestNodes.chainOptions(100_000, 64, 1024, 1024, 1 << 20)), "LOCK " + how);
        assertTrue(e.getMessage().contains("is in use by another master"), how + ": " + e.getMessage());
      }
    });
    try (ChainState state = ChainState.open(storage, TestNodes.chainOptions(100_000, 64, 1024, 1024, 1 << 20))) {
      assertTrue(state.lastBlockNumber() >= reported, "every commit the first master reported is there: "
          + state.lastBlockNumber() + " < " + reported);
      assertChained(state, state.lastBlockNumber());
    }
  }

  /** What the test does while the child writes, before it is killed. */
  private interface WhileRunning {
    void run() throws Exception;
  }

  private long runAndKill(long target, int round) throws Exception {
    return runAndKill(target, round, () -> { });
  }

  /**
   * Runs the child until it has reported at least {@code target} commits, runs {@code meanwhile},
   * kills it; returns the highest reported.
   */
  private long runAndKill(long target, int round, WhileRunning meanwhile) throws Exception {
    reportFile = reports.resolve("round" + round + ".txt");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ChainWriterProcess.class.getName(),
        storage.toString(), reportFile.toString(), "1000000", mode);
    Path errors = reports.resolve("round" + round + ".err");
    builder.redirectError(errors.toFile());
    Process child = builder.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // After the kill the JDK may close the pipe under this reader: progress watching ends.
      } finally {
        lines.add(END);
      }
    }, "child-stdout");
    reader.start();
    long highest = 0;
    try {
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (highest < target) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          fail("round " + round + ": the child reported only up to commit " + highest + " within " + DEADLINE);
        }
        if (line.equals(END)) {
          fail("round " + round + ": the child exited with " + child.waitFor() + " after commit " + highest
              + "; its stderr: " + Files.readString(errors));
        }
        if (line.startsWith("group ")) {
          groupsSeen++;
        } else {
          highest = Math.max(highest, parseApplied(line));
        }
      }
      meanwhile.run();
      assertTrue(child.isAlive(), "the child still writes");
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    }
    reader.join(Duration.ofSeconds(30).toMillis());
    assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");
    // The report file holds every report, including any printed after the watcher stopped.
    // Only whole lines count: a report is complete once its newline is written.
    String text = Files.readString(reportFile, StandardCharsets.US_ASCII);
    long reported = 0;
    for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
      if (!line.isEmpty()) {
        reported = Math.max(reported, parseApplied(line));
      }
    }
    assertTrue(reported >= highest, "the report file has at least what stdout showed");
    return reported;
  }

  private static long parseApplied(String line) {
    if (line.startsWith("applied ")) {
      return Long.parseLong(line.substring("applied ".length()));
    }
    if (line.startsWith("opened ") || line.startsWith("advanced ")) {
      return 0;
    }
    throw new AssertionError("unexpected child output: " + line);
  }

  private static void assertChained(ChainState state, long last) throws Exception {
    byte[] parent = new byte[32];
    long next = 1;
    while (next <= last) {
      List<BlockData> blocks = state.blocksRange(next, last);
      assertTrue(!blocks.isEmpty());
      for (BlockData block : blocks) {
        assertEquals(next, block.blockNumber());
        assertArrayEquals(parent, block.parentHash(), "block " + next + " chains to its parent");
        parent = block.blockHash();
        next++;
      }
    }
  }
}
