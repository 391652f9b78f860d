package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.FetchLimits;

/** Every case of {@link LocalForkTest}, with catch-up pipelined ({@link FetchWindow}). */
class PipelinedLocalForkTest extends LocalForkTest {

  @Override
  FetchLimits fetchLimits() {
    return new FetchLimits(16, 8);
  }
}
