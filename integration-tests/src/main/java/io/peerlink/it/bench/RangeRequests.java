package io.peerlink.it.bench;

import io.peerlink.discovery.core.protocol.Request;
import java.nio.ByteBuffer;

/**
 * The attackers' get_blocks_range requests, framed for the query channel: {@link FloodPlan#RANGE_BLOCKS}
 * blocks each, at starts spread over the chain. Every start and end lies in 128..16383, so every
 * frame has the same length ({@link #FRAME_BYTES}) and bytes written count requests exactly.
 */
final class RangeRequests {

  private static final long FIRST = 128;

  /** Bytes of every request frame, header included. */
  static final int FRAME_BYTES = frame(FIRST, FIRST).length;

  private final long starts;

  /** Requests over a chain of {@code chainBlocks} blocks (at least 128 + {@link FloodPlan#RANGE_BLOCKS}). */
  RangeRequests(long chainBlocks) {
    if (chainBlocks < FIRST + FloodPlan.RANGE_BLOCKS || chainBlocks > 16_383) {
      throw new IllegalArgumentException("the flood's chain must hold " + (FIRST + FloodPlan.RANGE_BLOCKS)
          + "-16383 blocks, got " + chainBlocks);
    }
    this.starts = chainBlocks - FloodPlan.RANGE_BLOCKS - FIRST + 2;
  }

  /** The {@code i}-th request of connection {@code c}, as a frame. */
  byte[] frame(int c, long i) {
    long from = FIRST + Math.floorMod(c * 31L + i * 17L, starts);
    return frame(from, from + FloodPlan.RANGE_BLOCKS - 1);
  }

  /** {@code n} requests of connection {@code c}, back to back, ready to be written. */
  ByteBuffer frames(int c, int n) {
    ByteBuffer b = ByteBuffer.allocate(n * FRAME_BYTES);
    for (int i = 0; i < n; i++) {
      b.put(frame(c, i));
    }
    return b.flip();
  }

  private static byte[] frame(long from, long to) {
    byte[] body = new Request.GetBlocksRange(from, to).encode();
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }
}
