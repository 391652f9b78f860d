package io.peerlink.node.master;

import java.time.Duration;

/**
 * What an epoch's start must satisfy before a master takes it, whoever proposes it
 * ({@code advance_epoch}, or synced blocks entering the next epoch): not further ahead of this
 * master's clock than the allowed skew (a start in the far future is a lie or a broken clock, and
 * the epoch could never be left for a real one), and not before the previous epoch's start
 * (epochs follow each other in time). Unsigned, as on the wire.
 */
final class EpochRules {
  private EpochRules() {}

  /**
   * Why {@code startMs} cannot start {@code epoch}, or null when it can.
   *
   * @param previousStartMs the start of the epoch before it (0 when unknown)
   * @param nowMs this master's clock
   * @param maxSkew {@code master.max_clock_skew}
   */
  static String startProblem(long epoch, long startMs, long previousStartMs, long nowMs, Duration maxSkew) {
    long latest = nowMs + maxSkew.toMillis();
    if (Long.compareUnsigned(startMs, latest) > 0) {
      return "epoch " + Long.toUnsignedString(epoch) + " would start at " + Long.toUnsignedString(startMs)
          + " ms, more than " + maxSkew.toMillis() + " ms (master.max_clock_skew) ahead of this master's clock ("
          + nowMs + " ms)";
    }
    if (Long.compareUnsigned(startMs, previousStartMs) < 0) {
      return "epoch " + Long.toUnsignedString(epoch) + " would start at " + Long.toUnsignedString(startMs)
          + " ms, before the previous epoch's start (" + Long.toUnsignedString(previousStartMs) + " ms)";
    }
    return null;
  }
}
