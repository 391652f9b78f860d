package io.peerlink.transport.api.support;

import io.peerlink.transport.api.ListenerLimits;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipelining rule of {@link ListenerLimits#maxPipelined()}: frames handed to the handler whose
 * answers have not been written yet are counted, and at the bound the transport stops reading the
 * connection (backpressure: the kernel buffer fills and the peer's writes block) until answers
 * drain. So no buffer of ours grows with what a peer pipelines, and a peer that never reads holds
 * at most the bound in answers until the idle timeout closes it.
 *
 * <p>The count assumes one answer per frame (request/response); a frame never answered counts
 * until the connection ends. A transport may add its own reasons to pause (answers queued for a
 * full socket, an unwritable channel) through {@link #reachedWith}. Thread-safe: readers count
 * deliveries, writers count answers.
 */
public final class PipelineBound {

  private static final PipelineBound NONE = new PipelineBound(Integer.MAX_VALUE, false);

  private final int max;
  private final boolean bounded;
  private final AtomicInteger unanswered = new AtomicInteger();

  private PipelineBound(int max, boolean bounded) {
    this.max = max;
    this.bounded = bounded;
  }

  /** The bound of an accepted connection under {@code limits}. */
  public static PipelineBound of(ListenerLimits limits) {
    return new PipelineBound(limits.maxPipelined(), true);
  }

  /** No bound, and nothing counted: for connections this process dialled. */
  public static PipelineBound none() {
    return NONE;
  }

  /** Whether this bound counts at all (an accepted connection's). */
  public boolean isBounded() {
    return bounded;
  }

  /** The most frames that may wait for their answers. */
  public int max() {
    return max;
  }

  /** A frame was handed to the handler: one more answer is owed. */
  public void delivered() {
    if (bounded) {
      unanswered.incrementAndGet();
    }
  }

  /**
   * A frame was written (or failed to be): it may be the answer to one delivered.
   *
   * @return whether the count was at the bound before, so a paused reader may resume now
   */
  public boolean answered() {
    if (!bounded) {
      return false;
    }
    return unanswered.getAndUpdate(n -> n > 0 ? n - 1 : 0) >= max;
  }

  /** Whether as many answers are owed as allowed: stop reading until {@link #answered}. */
  public boolean reached() {
    return bounded && unanswered.get() >= max;
  }

  /**
   * Whether reading must stop: at the bound, or with {@code queuedWrites} answers waiting for room
   * in the socket, which counts against the same bound.
   */
  public boolean reachedWith(int queuedWrites) {
    return bounded && (unanswered.get() >= max || queuedWrites >= max);
  }

  /** Answers owed now. */
  public int unanswered() {
    return unanswered.get();
  }
}
