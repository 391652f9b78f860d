package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.FetchLimits;

/** Every lying-peer case of {@link LyingPeersTest}, with catch-up pipelined ({@link FetchWindow}). */
class PipelinedLyingPeersTest extends LyingPeersTest {

  @Override
  FetchLimits fetchLimits() {
    return new FetchLimits(16, 8);
  }
}
