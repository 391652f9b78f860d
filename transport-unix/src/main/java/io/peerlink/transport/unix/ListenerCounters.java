package io.peerlink.transport.unix;

import io.peerlink.transport.api.ListenerStats;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link UnixListener#stats()}. Written by the accept thread and the reader
 * threads; adders because many threads bump them and only operators read them.
 */
final class ListenerCounters {

  final LongAdder accepted = new LongAdder();
  /** Also the connection cap's gauge: only the accept thread increments it. */
  final AtomicInteger active = new AtomicInteger();
  final LongAdder refusedByPolicy = new LongAdder();
  final LongAdder refusedOverLimit = new LongAdder();
  final LongAdder closedIdle = new LongAdder();
  final LongAdder closedPartialFrame = new LongAdder();
  final LongAdder badFrames = new LongAdder();
  final LongAdder handlerErrors = new LongAdder();
  final LongAdder readPauses = new LongAdder();

  ListenerStats snapshot() {
    return new ListenerStats(accepted.sum(), active.get(), refusedByPolicy.sum(), refusedOverLimit.sum(),
        closedIdle.sum(), closedPartialFrame.sum(), badFrames.sum(), handlerErrors.sum(), readPauses.sum());
  }
}
