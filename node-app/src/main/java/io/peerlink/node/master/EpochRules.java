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

  /**
   * The checks of an {@code advance_epoch} to {@code epoch} at {@code startMs} after
   * {@code boundaryBlock}, on a master whose last block is {@code lastBlock}: the boundary must be
   * a block it holds (an epoch cannot begin after a block the master does not have), and the
   * start must pass {@link #startProblem}.
   *
   * @throws RefusedRequestException naming the values, when either fails
   */
  static void checkAdvance(long epoch, long startMs, long boundaryBlock, long lastBlock, long previousStartMs,
      long nowMs, Duration maxSkew) throws RefusedRequestException {
    if (Long.compareUnsigned(boundaryBlock, lastBlock) > 0) {
      throw new RefusedRequestException("advance_epoch refused: boundary_block " + Long.toUnsignedString(boundaryBlock)
          + " is above this master's last block " + Long.toUnsignedString(lastBlock) + ": epoch "
          + Long.toUnsignedString(epoch) + " cannot begin after a block this master does not hold");
    }
    String problem = startProblem(epoch, startMs, previousStartMs, nowMs, maxSkew);
    if (problem != null) {
      throw new RefusedRequestException("advance_epoch refused: epoch_start_timestamp_ms: " + problem);
    }
  }
}
