package io.peerlink.transport.api.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.ListenerLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pipelining rule: stop at the bound, go on as answers are written; dialled connections count nothing. */
class PipelineBoundTest {

  @Test
  void reachedAtTheBoundAndReleasedByAnAnswer() {
    PipelineBound b = PipelineBound.of(new ListenerLimits(Duration.ZERO, Duration.ZERO, 10, 10, 3));
    for (int i = 0; i < 3; i++) {
      assertFalse(b.reached());
      b.delivered();
    }
    assertTrue(b.reached());
    assertTrue(b.answered(), "the answer that leaves the bound says the reader may resume");
    assertFalse(b.reached());
    assertFalse(b.answered(), "below the bound: nobody to wake");
  }

  @Test
  void queuedWritesCountAgainstTheSameBound() {
    PipelineBound b = PipelineBound.of(new ListenerLimits(Duration.ZERO, Duration.ZERO, 10, 10, 3));
    b.delivered();
    assertFalse(b.reachedWith(2));
    assertTrue(b.reachedWith(3), "three answers waiting for room in the socket");
  }

  @Test
  void moreAnswersThanFramesNeverGoBelowZero() {
    PipelineBound b = PipelineBound.of(new ListenerLimits(Duration.ZERO, Duration.ZERO, 10, 10, 1));
    b.answered(); // a frame sent unasked
    b.delivered();
    assertTrue(b.reached(), "an unasked send does not buy the peer an extra frame");
  }

  @Test
  void aDialledConnectionIsNeverBounded() {
    PipelineBound none = PipelineBound.none();
    for (int i = 0; i < 1000; i++) {
      none.delivered();
    }
    assertFalse(none.reached());
    assertFalse(none.reachedWith(Integer.MAX_VALUE));
    assertEquals(0, none.unanswered());
  }
}
