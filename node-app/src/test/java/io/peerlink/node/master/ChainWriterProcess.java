package io.peerlink.node.master;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
 * <p>Arguments: storage path, report file, max commits.
 */
public final class ChainWriterProcess {
  private ChainWriterProcess() {}

  public static void main(String[] args) throws Exception {
    Path storage = Path.of(args[0]);
    long maxCommits = Long.parseLong(args[2]);
    PrintStream out = System.out;
    try (FileOutputStream report = new FileOutputStream(args[1], true);
        ChainState state = ChainState.open(storage, new ChainOptions(100_000, 64, 1024, 1024, 1 << 20))) {
      out.println("opened last=" + state.lastBlockNumber());
      out.flush();
      long first = state.lastBlockNumber() + 1;
      for (long n = first; n < first + maxCommits; n++) {
        long epoch = 1 + n / 50;
        if (n % 50 == 25) {
          state.advanceEpoch(epoch + 1, System.currentTimeMillis(), n - 1);
          out.println("advanced " + (epoch + 1));
        }
        IntakeOutcome outcome = state.apply(Commits.commit(n, epoch));
        if (outcome != IntakeOutcome.APPLIED) {
          throw new IllegalStateException("commit " + n + ": " + outcome);
        }
        report.write(("applied " + n + "\n").getBytes(StandardCharsets.US_ASCII));
        out.println("applied " + n);
        out.flush();
      }
    }
  }
}
