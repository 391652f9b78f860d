package io.peerlink.discovery.core;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches the blocks a node is missing from its peers and hands them to a {@link BlockSink}, when
 * the node is behind by blocks or by epoch.
 *
 * <p>One run:
 * <ol>
 *   <li>Candidates are the peers that answered the last round claiming blocks past the local tip:
 *       the chosen best peer first, then the others, highest first.</li>
 *   <li>Blocks are asked for with {@code get_blocks_range} in batches of at most
 *       {@link DiscoveryOptions#batchSize()}, from local+1 up to the network tip the
 *       {@link SelectionPolicy} chose (never past what that peer claimed).</li>
 *   <li>Each batch is verified before the sink sees it: it is not empty, block numbers run
 *       consecutively from the one asked for and stay within the range, and each
 *       {@code parent_hash} equals the previous block's {@code block_hash} where both are present,
 *       across batches too; the first block is checked against the local master's own last block
 *       when the local master serves it; no block's epoch goes below the one before it or above
 *       the round's {@linkplain EpochAgreement#agreedEpoch agreed epoch}.</li>
 *   <li>A peer that fails to serve a batch (unreachable, timed out, broken or empty batch) is
 *       marked failed for the rest of the run, counts against its {@link PeerHealth}, and the next
 *       candidate takes over from the same block.</li>
 *   <li>At the tip, discovery runs again; the run ends when the gap is within the threshold.</li>
 *   <li>When no block has been applied for {@link DiscoveryOptions#noProgressTimeout()}, the run
 *       says so, runs discovery again and ends as {@link CatchUpResult.Outcome#STALLED}: it never
 *       hangs.</li>
 * </ol>
 * Steps run on the given executor (by default the common pool); nothing here blocks a thread.
 */
public final class CatchUp {

  private static final Logger LOG = System.getLogger(CatchUp.class.getName());

  private final SyncChecker checker;
  private final BlockSink sink;
  private final Executor executor;
  private final List<CatchUpListener> listeners = new CopyOnWriteArrayList<>();

  /** Catch-up with the common pool as executor. */
  public CatchUp(SyncChecker checker, BlockSink sink) {
    this(checker, sink, ForkJoinPool.commonPool());
  }

  /**
   * Catch-up whose steps run on {@code executor}.
   *
   * @param checker discovery and the decision; its options give batch size and patience
   * @param sink where verified batches go
   * @param executor runs each step, so that long runs never deepen a stack
   */
  public CatchUp(SyncChecker checker, BlockSink sink, Executor executor) {
    this.checker = Objects.requireNonNull(checker, "checker");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** Adds a listener; it hears about the batches of runs from now on. */
  public void addListener(CatchUpListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Tells every listener; one that throws is logged and the others are still told. */
  private void tell(java.util.function.Consumer<CatchUpListener> event) {
    for (CatchUpListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "[CATCH-UP] Catch-up listener " + l + " failed; others are still told", e);
      }
    }
  }

  /** Checks the sync status, then catches up if behind. */
  public CompletableFuture<CatchUpResult> run() {
    return checker.check().thenComposeAsync(this::run, executor);
  }

  /** Catches up from a status just checked. */
  public CompletableFuture<CatchUpResult> run(SyncStatus status) {
    Run run = new Run(Objects.requireNonNull(status, "status"));
    executor.execute(run::start);
    return run.result;
  }

  /** Thrown inside a run when the no-progress timeout passes. */
  private static final class Stalled extends Exception {
    private static final long serialVersionUID = 1L;

    Stalled() {
      super(null, null, false, false);
    }
  }

  /** The state of one run; each step runs on the executor, one at a time. */
  private final class Run {
    final CompletableFuture<CatchUpResult> result = new CompletableFuture<>();
    final DiscoveryOptions options = checker.options();
    final PeerDiscovery discovery = checker.discovery();
    final long startNanos = System.nanoTime();
    final Map<Endpoint, String> failed = new LinkedHashMap<>();
    long lastProgressNanos = startNanos;
    SyncStatus status;
    long startBlock;
    long local;
    long target;
    byte[] lastHash; // the local tip's block hash, when known
    long applied;

    Run(SyncStatus status) {
      this.status = status;
      this.startBlock = status.localBlock();
      this.local = status.localBlock();
      this.target = status.networkBlock();
    }

    void start() {
      try {
        if (status.discovery().localStatus().isEmpty() || local == 0) {
          decide(status);
          return;
        }
        // The local tip's hash anchors the first fetched block's parent hash.
        MasterClient localMaster = discovery.client(discovery.localMaster());
        guard(localMaster.blocksRange(local, local)).whenCompleteAsync((blocks, err) -> step(() -> {
          if (err == null && blocks.size() == 1 && blocks.get(0).blockNumber() == local) {
            lastHash = blocks.get(0).blockHash();
          } else {
            LOG.log(Level.DEBUG, "[CATCH-UP] Local block " + Long.toUnsignedString(local) + " not available from "
                + discovery.localMaster() + "; the first fetched block's parent hash is not checked"
                + (err == null ? "" : ": " + PeerOutcome.unwrap(err)));
          }
          decide(status);
        }), executor);
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    /** Decides what to do from a fresh status: finish, or fetch from the candidates. */
    void decide(SyncStatus s) {
      status = s;
      if (s.discovery().localStatus().isEmpty()) {
        finish(CatchUpResult.Outcome.LOCAL_UNKNOWN, "the local master (" + discovery.localMaster()
            + ") did not answer: " + s.discovery().local().reason());
        return;
      }
      if (s.localBlock() != local) {
        // The local tip moved by other means (consensus, another writer): start from where it is.
        local = s.localBlock();
        lastHash = null;
      }
      target = s.networkBlock();
      SyncState state = s.state();
      boolean behind = state instanceof SyncState.SyncingEpoch || state instanceof SyncState.SyncingCommits;
      if (!behind) {
        if (state instanceof SyncState.Initializing || state instanceof SyncState.Isolated) {
          finish(CatchUpResult.Outcome.NO_PEERS, "no network tip to catch up to: " + state);
        } else if (applied > 0) {
          finish(CatchUpResult.Outcome.CAUGHT_UP, "within " + options.gapThreshold() + " blocks of the tip: " + state);
        } else {
          finish(CatchUpResult.Outcome.UP_TO_DATE, "nothing to catch up: " + state);
        }
        return;
      }
      if (s.isolated()) {
        finish(CatchUpResult.Outcome.NO_PEERS, "no peer master answered, so there is no tip to catch up to");
        return;
      }
      if (Long.compareUnsigned(target, local) <= 0) {
        finish(CatchUpResult.Outcome.NOTHING_TO_FETCH, state + ": no block is missing (local block "
            + Long.toUnsignedString(local) + ", network block " + Long.toUnsignedString(target) + ")");
        return;
      }
      List<PeerOutcome> candidates = candidates(s);
      if (candidates.isEmpty()) {
        finish(CatchUpResult.Outcome.PEERS_EXHAUSTED, "no peer left that claims blocks past "
            + Long.toUnsignedString(local) + "; failed: " + failed);
        return;
      }
      LOG.log(Level.INFO, "[CATCH-UP] " + state + ": fetching blocks " + Long.toUnsignedString(local + 1) + ".."
          + Long.toUnsignedString(target) + " from " + candidates.get(0).peer() + " in batches of "
          + options.batchSize());
      fetch(candidates, 0);
    }

    List<PeerOutcome> candidates(SyncStatus s) {
      List<PeerOutcome> list = new ArrayList<>();
      for (PeerOutcome o : s.discovery().peers()) {
        if (o.answered() && !failed.containsKey(o.peer())
            && Long.compareUnsigned(o.status().orElseThrow().lastBlockNumber(), local) > 0) {
          list.add(o);
        }
      }
      list.sort((a, b) -> SelectionPolicy.ORDER.compare(b.status().orElseThrow(), a.status().orElseThrow()));
      Optional<Endpoint> best = s.bestPeer();
      for (int i = 0; i < list.size(); i++) {
        if (best.isPresent() && list.get(i).peer().equals(best.get())) {
          list.add(0, list.remove(i));
          break;
        }
      }
      return list;
    }

    /** Fetches the next batch from candidate i, or moves on. */
    void fetch(List<PeerOutcome> candidates, int i) {
      if (Long.compareUnsigned(local, target) >= 0) {
        recheck();
        return;
      }
      if (i >= candidates.size()) {
        // Every candidate of this round failed: a fresh round may offer others (failed ones stay out).
        recheck();
        return;
      }
      PeerOutcome peer = candidates.get(i);
      long claimed = peer.status().orElseThrow().lastBlockNumber();
      long to = unsignedMin(unsignedMin(target, claimed), local + options.batchSize());
      if (Long.compareUnsigned(to, local) <= 0) {
        fetch(candidates, i + 1); // this peer has nothing more to give: not a failure
        return;
      }
      long from = local + 1;
      CompletableFuture<List<BlockData>> batch;
      try {
        batch = discovery.client(peer.peer()).blocksRange(from, to);
      } catch (RuntimeException e) {
        batch = CompletableFuture.failedFuture(e);
      }
      guard(batch).whenCompleteAsync((blocks, err) -> step(() -> {
        if (err != null) {
          Throwable cause = PeerOutcome.unwrap(err);
          if (cause instanceof Stalled) {
            discovery.reportFailure(peer.peer(), PeerOutcome.Kind.TIMED_OUT, "no blocks within the no-progress timeout");
            tell(l -> l.onBatchFailed(peer.peer(), PeerOutcome.Kind.TIMED_OUT));
            stalled();
            return;
          }
          PeerOutcome.Kind kind = PeerOutcome.classify(cause);
          peerFailed(peer.peer(), kind, kind.words() + ": " + cause.getMessage());
          fetch(candidates, i + 1);
          return;
        }
        String problem = verify(blocks, from, to, lastHash);
        if (problem == null) {
          problem = EpochAgreement.blockEpochProblem(blocks, status.discovery()); // never one peer's epoch
        }
        if (problem != null) {
          peerFailed(peer.peer(), PeerOutcome.Kind.PROTOCOL_ERROR, "broken batch " + Long.toUnsignedString(from) + ".."
              + Long.toUnsignedString(to) + ": " + problem);
          fetch(candidates, i + 1);
          return;
        }
        tell(l -> l.onBatchFetched(peer.peer(), blocks.size()));
        apply(blocks, candidates, i);
      }), executor);
    }

    /** Why a Go master may skip a block: it stores blocks from field 12 only. */
    private String rawBytesHint(BlockData block) {
      return block.hasRawBlockBytes() ? "" : "; block " + Long.toUnsignedString(block.blockNumber())
          + " has no raw_block_bytes (field 12), which a Go master needs to store it";
    }

    void apply(List<BlockData> blocks, List<PeerOutcome> candidates, int i) {
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
      guard(applying).whenCompleteAsync((newLocal, err) -> step(() -> {
        if (err != null) {
          Throwable cause = PeerOutcome.unwrap(err);
          if (cause instanceof Stalled) {
            stalled();
          } else {
            finish(CatchUpResult.Outcome.SINK_FAILED, sink.name() + " refused blocks " + Long.toUnsignedString(first)
                + ".." + Long.toUnsignedString(last) + ": " + cause + rawBytesHint(blocks.get(0)));
          }
          return;
        }
        if (newLocal == null || Long.compareUnsigned(newLocal, local) <= 0) {
          finish(CatchUpResult.Outcome.SINK_FAILED, sink.name() + " skipped block " + Long.toUnsignedString(first)
              + ": it took none of blocks " + Long.toUnsignedString(first) + ".." + Long.toUnsignedString(last)
              + " (its last block is " + (newLocal == null ? "unknown" : Long.toUnsignedString(newLocal)) + ")"
              + rawBytesHint(blocks.get(0)));
          return;
        }
        long moved = newLocal - local;
        applied += moved;
        Endpoint from = candidates.get(i).peer();
        tell(l -> l.onBatchApplied(from, moved));
        lastHash = null;
        for (BlockData b : blocks) {
          if (b.blockNumber() == newLocal) {
            lastHash = b.blockHash();
          }
        }
        local = newLocal;
        lastProgressNanos = System.nanoTime();
        LOG.log(Level.INFO, "[CATCH-UP] Applied blocks " + Long.toUnsignedString(first) + ".."
            + Long.toUnsignedString(newLocal) + " from " + candidates.get(i).peer() + "; target "
            + Long.toUnsignedString(target));
        fetch(candidates, i);
      }), executor);
    }

    void recheck() {
      if (noProgressFor() >= options.noProgressTimeout().toNanos()) {
        stalled();
        return;
      }
      checker.check().whenCompleteAsync((s, err) -> step(() -> {
        if (err != null) {
          fail(PeerOutcome.unwrap(err));
        } else {
          decide(s);
        }
      }), executor);
    }

    void stalled() {
      String what = "no progress for " + Duration.ofNanos(noProgressFor()).toMillis() + " ms (local block "
          + Long.toUnsignedString(local) + ", target " + Long.toUnsignedString(target) + ")";
      LOG.log(Level.WARNING, "[CATCH-UP] " + what + "; re-running discovery");
      checker.check().whenCompleteAsync((s, err) -> step(() -> {
        if (s != null) {
          status = s;
        }
        finish(CatchUpResult.Outcome.STALLED, what + "; discovery re-run: "
            + (s != null ? s.summary() : "failed: " + PeerOutcome.unwrap(err)));
      }), executor);
    }

    void peerFailed(Endpoint peer, PeerOutcome.Kind kind, String reason) {
      failed.put(peer, reason);
      discovery.reportFailure(peer, kind, reason);
      tell(l -> l.onBatchFailed(peer, kind));
      LOG.log(Level.WARNING, "[CATCH-UP] Peer master (" + peer + ") failed to serve blocks: " + reason
          + "; trying the next best peer");
    }

    /** Races a step against the no-progress deadline. */
    <T> CompletableFuture<T> guard(CompletableFuture<T> step) {
      long left = options.noProgressTimeout().toNanos() - noProgressFor();
      CompletableFuture<T> copy = new CompletableFuture<>();
      if (left <= 0) {
        copy.completeExceptionally(new Stalled());
        return copy;
      }
      step.whenComplete((v, e) -> {
        if (e != null) {
          copy.completeExceptionally(e);
        } else {
          copy.complete(v);
        }
      });
      return copy.orTimeout(left, TimeUnit.NANOSECONDS).exceptionallyCompose(e ->
          PeerOutcome.unwrap(e) instanceof TimeoutException
              ? CompletableFuture.failedFuture(new Stalled())
              : CompletableFuture.failedFuture(e));
    }

    long noProgressFor() {
      return System.nanoTime() - lastProgressNanos;
    }

    void step(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    void fail(Throwable e) {
      LOG.log(Level.ERROR, "[CATCH-UP] Catch-up failed unexpectedly", e);
      result.completeExceptionally(e);
    }

    void finish(CatchUpResult.Outcome outcome, String message) {
      CatchUpResult r = new CatchUpResult(outcome, message, startBlock, local, target, applied, failed, status,
          Duration.ofNanos(System.nanoTime() - startNanos));
      LOG.log(outcome.success() ? Level.INFO : Level.WARNING, "[CATCH-UP] " + outcome + ": " + message
          + " (blocks " + Long.toUnsignedString(startBlock) + " -> " + Long.toUnsignedString(local) + ", applied "
          + applied + ")");
      result.complete(r);
    }
  }

  /**
   * Why a batch cannot be trusted, or null when it can.
   *
   * @param previousHash the hash of block {@code from - 1}, or null when unknown
   */
  static String verify(List<BlockData> blocks, long from, long to, byte[] previousHash) {
    if (blocks == null || blocks.isEmpty()) {
      return "empty batch";
    }
    long expected = from;
    byte[] previous = previousHash;
    for (BlockData b : blocks) {
      if (Long.compareUnsigned(expected, to) > 0) {
        return "more blocks than asked for: block " + Long.toUnsignedString(b.blockNumber()) + " after "
            + Long.toUnsignedString(to);
      }
      if (b.blockNumber() != expected) {
        return "block " + Long.toUnsignedString(b.blockNumber()) + " where block " + Long.toUnsignedString(expected)
            + " was expected";
      }
      int size = b.encode().length;
      if (size > BlockSink.SYNC_REQUEST_BYTES) {
        return "block " + Long.toUnsignedString(expected) + " is " + size + " bytes, more than one sync_blocks request"
            + " may carry (" + BlockSink.SYNC_REQUEST_BYTES + "): no master could take it";
      }
      byte[] parent = b.parentHash();
      if (previous != null && previous.length > 0 && parent.length > 0 && !Arrays.equals(parent, previous)) {
        return "block " + Long.toUnsignedString(expected) + " has parent_hash " + hex(parent) + " but block "
            + Long.toUnsignedString(expected - 1) + " has block_hash " + hex(previous);
      }
      previous = b.blockHash();
      expected++;
    }
    return null;
  }

  private static long unsignedMin(long a, long b) {
    return Long.compareUnsigned(a, b) <= 0 ? a : b;
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 8); i++) {
      sb.append(String.format("%02x", bytes[i]));
    }
    return bytes.length > 8 ? sb + "..." : sb.toString();
  }
}
