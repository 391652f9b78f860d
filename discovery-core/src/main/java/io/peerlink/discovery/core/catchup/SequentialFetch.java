package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The sequential fetch of a catch-up round ({@link FetchLimits#SEQUENTIAL}; {@link FetchWindow}
 * is the pipelined one): one batch at a time from the local tip of {@link CatchUpRun}. Each batch
 * ends at a hash f+1 peers confirmed and is asked of the peers that confirmed it, one after the
 * other, until one serves it whole and checked ({@link BatchCheck}, its end against the confirmed
 * pair); an answer cut short by the peer's answer limits is taken once the hash of its last block
 * is confirmed. Every step runs under {@link CatchUpRun#step}.
 */
final class SequentialFetch {

  private final CatchUpRun run;

  SequentialFetch(CatchUpRun run) {
    this.run = run;
  }

  /** The next batch: confirm where it ends (unless at the confirmed tip), then fetch it. */
  void next() {
    long full = run.local + run.options.batchSize();
    long to = Long.compareUnsigned(run.target, full) <= 0 ? run.target : full;
    if (to == run.tip.number) {
      fetch(run.tip, run.local + 1, 0);
      return;
    }
    run.confirm(to, Candidates.holders(run.candidates, run.bans, to), c -> {
      if (c.confirmed()) {
        fetch(c, run.local + 1, 0);
      } else {
        run.finish(CatchUpResult.Outcome.UNCONFIRMED, "stopped at block " + Long.toUnsignedString(run.local) + ": "
            + c.describe());
      }
    });
  }

  /** Fetches blocks from..end.number from the i-th peer that confirmed the end, or moves on. */
  private void fetch(HashConfirmation end, long from, int i) {
    List<Endpoint> sources = FetchSources.of(run, end);
    if (i >= sources.size()) {
      run.recheck(); // every peer that vouched for this batch failed it: a fresh round may offer others
      return;
    }
    Endpoint peer = sources.get(i);
    long to = end.number;
    CompletableFuture<List<BlockData>> batch;
    try {
      batch = run.discovery.client(peer).blocksRange(from, to);
    } catch (RuntimeException e) {
      batch = CompletableFuture.failedFuture(e);
    }
    run.patience.guard(batch).whenCompleteAsync((blocks, err) -> run.step(() -> {
      if (err != null) {
        Throwable cause = PeerOutcome.unwrap(err);
        if (cause instanceof Patience.Stalled) {
          run.fetchStalled(peer);
          return;
        }
        PeerOutcome.Kind kind = PeerOutcome.classify(cause);
        if (FetchSources.rateRefusal(kind, cause)) {
          FetchSources.afterRest(run, () -> fetch(end, from, i)); // over its rate limit: ask it again, unfailed
          return;
        }
        run.peerFailed(peer, kind, kind.words() + ": " + cause.getMessage());
        fetch(end, from, i);
        return;
      }
      String problem = BatchCheck.verify(blocks, from, to, run.lastHash, run.status.discovery()); // epochs too
      if (problem != null) {
        if (run.localFork.suspects(blocks, from, to, run.lastHash)) {
          run.localFork.judge(peer, blocks, from, to, problem, () -> fetch(end, from, i));
          return;
        }
        run.batchRefused(peer, from, to, problem);
        fetch(end, from, i);
        return;
      }
      BlockData last = blocks.get(blocks.size() - 1);
      if (last.blockNumber() != to) {
        shortBatch(end, from, i, peer, blocks);
      } else if (end.matches(last)) {
        accept(blocks, peer);
      } else {
        run.ban(peer, to, last.blockHash(), end.hash, "served a batch ending at another block than the confirmed one");
        run.tell.accept(l -> l.onBatchFailed(peer, PeerOutcome.Kind.PROTOCOL_ERROR));
        fetch(end, from, i);
      }
    }), run.executor);
  }

  /**
   * A short batch, checked as far as it goes (a master caps its answers by count and bytes):
   * confirm where it ends instead, and take it if that hash is its last block's.
   */
  private void shortBatch(HashConfirmation end, long from, int i, Endpoint peer, List<BlockData> blocks) {
    BlockData last = blocks.get(blocks.size() - 1);
    long lastNumber = last.blockNumber();
    run.confirm(lastNumber, Candidates.holders(run.candidates, run.bans, lastNumber), c -> {
      if (c.matches(last)) {
        accept(blocks, peer);
      } else if (c.confirmed()) {
        run.ban(peer, lastNumber, last.blockHash(), c.hash, "served a batch ending at another block than the confirmed one");
        fetch(end, from, i);
      } else {
        run.finish(CatchUpResult.Outcome.UNCONFIRMED, "stopped at block " + Long.toUnsignedString(run.local) + ": "
            + peer + " served blocks up to " + Long.toUnsignedString(lastNumber) + " only, and " + c.describe());
      }
    });
  }

  /** A batch that passed every check goes to the sink; then the next one. */
  private void accept(List<BlockData> blocks, Endpoint peer) {
    run.tell.accept(l -> l.onBatchFetched(peer, blocks.size()));
    run.apply(blocks, peer, run::fetchNext);
  }
}
