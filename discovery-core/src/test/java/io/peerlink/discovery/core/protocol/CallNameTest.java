package io.peerlink.discovery.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The name both ends of the channel use for a call in messages and metrics. */
class CallNameTest {

  @Test
  void isTheFieldNameWithoutRequest() {
    assertEquals("get_current_epoch", new Request.GetCurrentEpoch().callName());
    assertEquals("get_blocks_range", new Request.GetBlocksRange(1, 2).callName());
    assertEquals("get_current_epoch_request", new Request.GetCurrentEpoch().fieldName());
  }
}
