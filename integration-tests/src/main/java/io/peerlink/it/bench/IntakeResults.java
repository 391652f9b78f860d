package io.peerlink.it.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The intake benchmark's samples ({@link IntakeBenchmark}) and how the summary shows them: a
 * table line, the {@code intake} object of summary.json and the target (intake at least
 * {@link #TARGET_RATIO} times the disk's fdatasync rate). The JSON object stands alone, so it can
 * move under another key (the issue later wants it under {@code sync}).
 */
final class IntakeResults {
  /** Intake must reach this multiple of the fdatasync rate: commits share fsyncs. */
  static final double TARGET_RATIO = 10;

  int commitsPerRep;
  String master = "";
  final List<Double> commitsPerSecond = new ArrayList<>();
  final List<Double> fdatasyncPerSecond = new ArrayList<>();
  final List<Double> ratio = new ArrayList<>();
  final List<Double> commitsPerFsync = new ArrayList<>();

  boolean isEmpty() {
    return commitsPerSecond.isEmpty();
  }

  /**
   * One repetition: commits/s through the block channel, fdatasync/s of the same directory, and
   * commits per group commit in the master (from its metrics).
   */
  void add(double commits, double fdatasyncs, double perFsync) {
    commitsPerFsync.add(perFsync);
    commitsPerSecond.add(commits);
    fdatasyncPerSecond.add(fdatasyncs);
    ratio.add(commits / fdatasyncs);
  }

  Optional<Summary.Target> target() {
    return isEmpty() ? Optional.empty() : Optional.of(new Summary.Target(
        "intake commits/s / fdatasync/s (same disk)", Results.median(ratio), ">=", TARGET_RATIO));
  }

  void print(PrintStream out) {
    if (isEmpty()) {
      return;
    }
    out.println();
    out.printf(Locale.ROOT, "%-10s %10s %14s %14s %8s %14s%n", "intake", "commits", "commits/s", "fdatasync/s", "ratio",
        "commits/fsync");
    out.printf(Locale.ROOT, "%-10s %,10d %,14.0f %,14.0f %8.1f %14.1f  (%s)%n", "block ch.", commitsPerRep,
        Results.median(commitsPerSecond), Results.median(fdatasyncPerSecond), Results.median(ratio),
        Results.median(commitsPerFsync), master);
  }

  /** The {@code intake} object of summary.json. */
  String json() {
    return "{\"commits_per_rep\": " + commitsPerRep + ", \"commits_per_s\": " + Summary.num(Results.median(commitsPerSecond))
        + ", \"fdatasync_per_s\": " + Summary.num(Results.median(fdatasyncPerSecond))
        + ", \"ratio\": " + Summary.num(Results.median(ratio)) + ", \"target_ratio\": " + TARGET_RATIO
        + ", \"commits_per_fsync\": " + Summary.num(Results.median(commitsPerFsync))
        + ", \"master\": " + Summary.str(master) + "}";
  }
}
