package io.peerlink.node.master;

import java.nio.ByteBuffer;

/**
 * The chain writer's record buffer: one direct buffer, reused for every record the store writes
 * (under its write mutex), so a record is encoded once, where the write syscall reads it. A heap
 * buffer would be copied again by the JDK into a temporary direct buffer before each write, and a
 * fresh buffer per record is memory the kernel must zero first (issue 15).
 *
 * <p>The buffer grows to the largest record written, up to {@link #KEEP_MAX_BYTES}; a larger
 * record (a single sync_blocks batch of more than that) gets a heap buffer of its own, so the
 * store never holds more than that much direct memory.
 */
final class RecordBuffer {
  /**
   * The largest buffer kept between writes: room for a full group ({@link GroupCommit#MAX_GROUP_BYTES})
   * or a sync batch of one full range answer ({@code AnswerLimits.MAX_RANGE_RESPONSE_BYTES}), twice.
   */
  static final int KEEP_MAX_BYTES = 16 * 1024 * 1024;
  /** The first buffer's size; it doubles from there as records need. */
  private static final int INITIAL_BYTES = 64 * 1024;

  private ByteBuffer direct;

  /**
   * A buffer for a record of {@code size} bytes: position 0, limit {@code size}. Valid until the
   * next call; the caller holds the store's write mutex.
   */
  ByteBuffer take(int size) {
    if (size > KEEP_MAX_BYTES) {
      return ByteBuffer.allocate(size);
    }
    if (direct == null || direct.capacity() < size) {
      int capacity = direct == null ? INITIAL_BYTES : direct.capacity();
      while (capacity < size) {
        capacity = Math.min(capacity * 2, KEEP_MAX_BYTES);
      }
      direct = ByteBuffer.allocateDirect(capacity);
    }
    direct.clear().limit(size);
    return direct;
  }
}
