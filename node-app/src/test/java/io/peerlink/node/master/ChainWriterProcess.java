package io.peerlink.node.master;

import io.peerlink.node.TestNodes;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The child JVM of {@link ChainStateKillTest}: opens the chain, applies commits from the last
 * block + 1 on, and prints {@code applied N} once {@link ChainState#apply} has returned for N,
 * until killed or {@code maxCommits} are applied. Epochs change every 50 commits, with an
 * advance_epoch now and then, so that the kill can land on either kind of record.
 *
 * <p>Each report goes first to a report file (one unbuffered write, which the kernel keeps when
 * the process is killed), then to stdout, which the test watches for progress only: the JDK
 * may drop the tail of a killed child's pipe.
 *
 * <p>With {@code grouped}, commits are submitted without waiting, up to {@link #WINDOW} in flight,
 * so that they share group commits; {@code applied N} is printed when N's future completes (on
 * the writer thread, after the group's fsync), and {@code group B} for each group of B &gt; 1 blocks.
 *
 * <p>Arguments: storage path, report file, max commits, optionally {@code grouped}.
 */
public final class ChainWriterProcess {
  /** Commits in flight at most in the grouped mode. */
  static final int WINDOW = 512;

  private ChainWriterProcess() {}

  public static void main(String[] args) throws Exception {
    Path storage = Path.of(args[0]);
    long maxCommits = Long.parseLong(args[2]);
    boolean grouped = args.length > 3 && args[3].equals("grouped");
    PrintStream out = System.out;
    Semaphore window = new Semaphore(WINDOW);
    try (FileOutputStream report = new FileOutputStream(args[1], true);
        ChainState state = ChainState.open(storage, TestNodes.chainOptions(100_000, 64, 1024, 1024, 1 << 20))) {
      out.println("opened last=" + state.lastBlockNumber());
      out.flush();
      state.onGroupWritten(blocks -> {
        if (blocks > 1) {
          out.println("group " + blocks);
        }
      });
      long first = state.lastBlockNumber() + 1;
      for (long n = first; n < first + maxCommits; n++) {
        long epoch = 1 + n / 50;
        if (n % 50 == 25) {
          state.advanceEpoch(epoch + 1, System.currentTimeMillis(), n - 1);
          out.println("advanced " + (epoch + 1));
        }
        if (!grouped) {
          report(report, out, n, state.apply(Commits.commit(n, epoch)));
          continue;
        }
        window.acquire();
        long number = n;
        state.submit(Commit.of(Commits.commit(n, epoch))).whenComplete((outcome, e) -> {
          if (e != null) {
            e.printStackTrace();
            Runtime.getRuntime().halt(3);
          }
          try {
            report(report, out, number, outcome);
          } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
          }
          window.release();
        });
      }
      window.acquire(WINDOW); // every commit reported
    }
  }

  private static void report(FileOutputStream report, PrintStream out, long n, IntakeOutcome outcome)
      throws IOException {
    if (outcome != IntakeOutcome.APPLIED) {
      throw new IllegalStateException("commit " + n + ": " + outcome);
    }
    report.write(("applied " + n + "\n").getBytes(StandardCharsets.US_ASCII));
    out.println("applied " + n);
    out.flush();
  }
}
