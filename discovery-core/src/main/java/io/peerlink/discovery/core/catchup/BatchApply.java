package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The last step of a catch-up batch, for the sequential path and {@link FetchWindow} alike: a
 * verified batch goes to the {@link BlockSink}, and the run's local tip, its hash and its count of
 * applied blocks follow what the sink reports.
 */
final class BatchApply {
  private static final Logger LOG = System.getLogger(CatchUp.class.getName());

  private BatchApply() {
  }

  /** Hands a verified batch to the run's sink; once it advanced the local tip, runs {@code next}. */
  static void apply(CatchUpRun run, List<BlockData> blocks, Endpoint from, Runnable next) {
    BlockSink sink = run.sink;
    CompletableFuture<Long> applying;
    try {
      CompletionStage<Long> stage = sink.apply(List.copyOf(blocks));
      applying = stage == null
          ? CompletableFuture.failedFuture(new IllegalStateException("the block sink returned null"))
          : stage.toCompletableFuture();
    } catch (RuntimeException e) {
      applying = CompletableFuture.failedFuture(e);
    }
    long first = blocks.get(0).blockNumber();
    long last = blocks.get(blocks.size() - 1).blockNumber();
    run.patience.guard(applying).whenCompleteAsync((newLocal, err) -> run.step(() -> {
      if (err != null) {
        Throwable cause = PeerOutcome.unwrap(err);
        if (cause instanceof Patience.Stalled) {
          run.stalled();
        } else {
          run.finish(CatchUpResult.Outcome.SINK_FAILED, sink.name() + " refused blocks " + Long.toUnsignedString(first)
              + ".." + Long.toUnsignedString(last) + ": " + cause + BatchCheck.rawBytesHint(blocks.get(0)));
        }
        return;
      }
      if (newLocal == null || Long.compareUnsigned(newLocal, run.local) <= 0) {
        run.finish(CatchUpResult.Outcome.SINK_FAILED, sink.name() + " skipped block " + Long.toUnsignedString(first)
            + ": it took none of blocks " + Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last)
            + " (its last block is " + (newLocal == null ? "unknown" : Long.toUnsignedString(newLocal)) + ")"
            + BatchCheck.rawBytesHint(blocks.get(0)));
        return;
      }
      long moved = newLocal - run.local;
      run.applied += moved;
      run.tell.accept(l -> l.onBatchApplied(from, moved));
      run.lastHash = null;
      for (BlockData b : blocks) {
        if (b.blockNumber() == newLocal) {
          run.lastHash = b.blockHash();
        }
      }
      run.local = newLocal;
      run.patience.progressed();
      LOG.log(Level.INFO, "[CATCH-UP] Applied blocks " + Long.toUnsignedString(first) + ".."
          + Long.toUnsignedString(newLocal) + " from " + from + "; target "
          + Long.toUnsignedString(run.target));
      next.run();
    }), run.executor);
  }
}
