package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerBans;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.discovery.SyncState;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The state of one {@link CatchUp} run, and its steps; each step runs on the executor, one at a
 * time. How a run proceeds, and why, is on {@link CatchUp}. The run decides and confirms the tip;
 * the blocks up to it are fetched by {@link SequentialFetch} or, pipelined, by {@link FetchWindow}.
 * An {@link OwnTipCheck} runs on one too, fetching nothing.
 */
final class CatchUpRun {
  private static final Logger LOG = System.getLogger(CatchUp.class.getName());

  final CompletableFuture<CatchUpResult> result = new CompletableFuture<>();
  private final SyncChecker checker;
  final BlockSink sink;
  final Executor executor;
  final Consumer<Consumer<CatchUpListener>> tell;
  final DiscoveryOptions options;
  final PeerDiscovery discovery;
  final PeerBans bans;
  final int required;
  final long startNanos = System.nanoTime();
  final Map<Endpoint, String> failed = new LinkedHashMap<>();
  final Patience patience;
  SyncStatus status;
  List<PeerOutcome> candidates = List.of();
  HashConfirmation tip; // the confirmed network tip of this round
  long startBlock;
  long local;
  long target;
  byte[] lastHash; // the local tip's block hash; null until read (and for an empty chain)
  long applied;
  boolean ending; // the run is finishing: a pipelined fetch still in flight must not go on
  TrustedCheckpoint checkpoint; // where an empty local master may start its chain, or null (JoinBase)
  final LocalFork localFork = new LocalFork(this);
  private final SequentialFetch sequential = new SequentialFetch(this);
  ChainFork fork; // set when the run ends LOCAL_FORKED
  AtomicReference<ChainFork> lastFork = new AtomicReference<>(); // the CatchUp's: the fork its runs last logged

  CatchUpRun(SyncChecker checker, BlockSink sink, Executor executor, Consumer<Consumer<CatchUpListener>> tell,
      SyncStatus status) {
    this.checker = checker;
    this.sink = sink;
    this.executor = executor;
    this.tell = tell;
    this.options = checker.options();
    this.discovery = checker.discovery();
    this.bans = discovery.bans();
    this.required = options.selectionPolicy().confirmations(discovery.peers().size());
    this.patience = new Patience(options.noProgressTimeout());
    this.status = status;
    this.startBlock = status.localBlock();
    this.local = status.localBlock();
    this.target = status.networkBlock();
  }

  void start() {
    step(() -> decide(status));
  }

  /** Decides what to do from a fresh status: finish, or confirm the tip and fetch. */
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
    candidates = Candidates.of(s, local, bans);
    if (candidates.stream().allMatch(o -> failed.containsKey(o.peer()))) {
      finish(CatchUpResult.Outcome.PEERS_EXHAUSTED, "no peer left that claims blocks past "
          + Long.toUnsignedString(local) + "; failed: " + failed);
      return;
    }
    anchorThen(() -> confirmTip(Candidates.tipHeights(candidates, target), 0, new ArrayList<>()));
  }

  /** Reads the local tip's hash from the local master, then runs {@code next}; every fetched block chains from it. */
  void anchorThen(Runnable next) {
    if (local == 0) {
      JoinBase.then(this, checkpoint, next);
      return;
    }
    if (lastHash != null) {
      next.run();
      return;
    }
    CompletableFuture<List<BlockData>> own;
    try {
      own = discovery.client(discovery.localMaster()).blocksRange(local, local);
    } catch (RuntimeException e) {
      own = CompletableFuture.failedFuture(e);
    }
    patience.guard(own).whenCompleteAsync((blocks, err) -> step(() -> {
      if (err == null && blocks.size() == 1 && blocks.get(0).blockNumber() == local
          && Hashes.whole(blocks.get(0).blockHash())) {
        lastHash = blocks.get(0).blockHash();
        next.run();
      } else if (err != null && PeerOutcome.unwrap(err) instanceof Patience.Stalled) {
        stalled();
      } else {
        finish(CatchUpResult.Outcome.LOCAL_UNKNOWN, "the local master (" + discovery.localMaster()
            + ") did not give the hash of its last block " + Long.toUnsignedString(local)
            + ", so no fetched block could be checked against it"
            + (err == null ? " (answered " + blocks + ")" : ": " + PeerOutcome.unwrap(err)));
      }
    }), executor);
  }

  /** Confirms the highest of {@code heights} it can, from index i, then fetches up to it. */
  void confirmTip(List<Long> heights, int i, List<String> tried) {
    if (i >= heights.size()) {
      finish(CatchUpResult.Outcome.UNCONFIRMED, "no block past the local block " + Long.toUnsignedString(local)
          + " has a hash " + required + " peers agree on, so nothing was fetched: " + String.join("; ", tried));
      return;
    }
    long h = heights.get(i);
    List<Endpoint> holders = Candidates.holders(candidates, bans, h);
    if (holders.size() < required) {
      tried.add("block " + Long.toUnsignedString(h) + " is claimed by " + holders.size() + " peers " + holders);
      confirmTip(heights, i + 1, tried);
      return;
    }
    confirm(h, holders, c -> {
      if (!c.confirmed()) {
        tried.add(c.describe());
        confirmTip(heights, i + 1, tried);
        return;
      }
      tip = c;
      if (h != target) {
        LOG.log(Level.WARNING, "[CATCH-UP] The network tip " + Long.toUnsignedString(target) + " is not confirmed by "
            + required + " peers (" + String.join("; ", tried) + "); catching up only to block "
            + Long.toUnsignedString(h));
      }
      target = h;
      LOG.log(Level.INFO, "[CATCH-UP] " + status.state() + ": " + c.describe() + "; fetching blocks "
          + Long.toUnsignedString(local + 1) + ".." + Long.toUnsignedString(target) + " in batches of "
          + options.batchSize());
      fetchNext();
    });
  }

  /** Asks the holders for block {@code number}'s hash, bans who contradicts a confirmed one, then goes on. */
  void confirm(long number, List<Endpoint> holders, java.util.function.Consumer<HashConfirmation> then) {
    patience.guard(HashConfirmation.ask(discovery, holders, number, required)).whenCompleteAsync((c, err) -> step(() -> {
      if (err != null) {
        if (PeerOutcome.unwrap(err) instanceof Patience.Stalled) {
          stalled();
        } else {
          fail(PeerOutcome.unwrap(err));
        }
        return;
      }
      banContradicting(c);
      then.accept(c);
    }), executor);
  }

  /** Bans every peer that returned another block {@code c.number} than the confirmed one. */
  void banContradicting(HashConfirmation c) {
    long number = c.number;
    c.contradicting.forEach((peer, b) -> ban(peer, number, b.blockHash(), c.hash,
        (Arrays.equals(b.blockHash(), c.hash) ? "returned block " + Long.toUnsignedString(number)
            + " with parent_hash " + Hashes.hex(b.parentHash()) + ", another than the " + Hashes.hex(c.parent)
            : "returned another hash for block " + Long.toUnsignedString(number) + " than the")
            + " " + c.agreeing.size() + " peers agree on"));
  }

  void ban(Endpoint peer, long number, byte[] peerHash, byte[] confirmedHash, String what) {
    if (String.valueOf(failed.get(peer)).startsWith("banned: ")) {
      return; // banned in this run already (a pipelined peer's other answers): its first evidence stands
    }
    failed.put(peer, "banned: " + what);
    bans.ban(peer, number, peerHash, confirmedHash, what).ifPresent(b -> tell.accept(l -> l.onPeerBanned(b)));
  }

  /** The next batch ({@link SequentialFetch}) or the pipeline ({@link FetchWindow}); at the target, a fresh round. */
  void fetchNext() {
    if (Long.compareUnsigned(local, target) >= 0) {
      recheck();
      return;
    }
    if (options.fetchLimits().pipelined()) {
      new FetchWindow(this).start();
    } else {
      sequential.next();
    }
  }

  /** Hands a verified batch to the sink; once it advanced the local tip, runs {@code next}. */
  void apply(List<BlockData> blocks, Endpoint from, Runnable next) {
    BatchApply.apply(this, blocks, from, next);
  }

  void recheck() {
    if (patience.waited() >= options.noProgressTimeout().toNanos()) {
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

  /** A fetch from {@code peer} outlasted the no-progress timeout: it is reported against the peer, and the run stalls. */
  void fetchStalled(Endpoint peer) {
    discovery.reportFailure(peer, PeerOutcome.Kind.TIMED_OUT, "no blocks within the no-progress timeout");
    tell.accept(l -> l.onBatchFailed(peer, PeerOutcome.Kind.TIMED_OUT));
    stalled();
  }

  void stalled() {
    if (ending) {
      return; // the run is finishing already (a pipelined step's late stall): it ends once
    }
    ending = true;
    String what = "no progress for " + Duration.ofNanos(patience.waited()).toMillis() + " ms (local block "
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

  /** Fails {@code peer} for a batch blocks from..to that {@link BatchCheck} refused for {@code problem}. */
  void batchRefused(Endpoint peer, long from, long to, String problem) {
    peerFailed(peer, PeerOutcome.Kind.PROTOCOL_ERROR, "broken batch " + Long.toUnsignedString(from) + ".."
        + Long.toUnsignedString(to) + ": " + problem);
  }

  void peerFailed(Endpoint peer, PeerOutcome.Kind kind, String reason) {
    failed.put(peer, reason);
    discovery.reportFailure(peer, kind, reason);
    tell.accept(l -> l.onBatchFailed(peer, kind));
    LOG.log(Level.WARNING, "[CATCH-UP] Peer master (" + peer + ") failed to serve blocks: " + reason
        + "; trying the next best peer");
  }

  /** Runs a step under the run's lock: pipelined fetches complete on several threads at once. */
  synchronized void step(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  void fail(Throwable e) {
    ending = true;
    LOG.log(Level.ERROR, "[CATCH-UP] Catch-up failed unexpectedly", e);
    result.completeExceptionally(e);
  }

  /**
   * ERROR the first time a fork is found, DEBUG while the same one is found again: a node
   * re-checking on its cadence (catch-up or {@link OwnTipCheck}) finds the same one every time.
   */
  Level forkLevel(ChainFork found) {
    return found.sameFork(lastFork.getAndSet(found)) ? Level.DEBUG : Level.ERROR;
  }

  void finish(CatchUpResult.Outcome outcome, String message) {
    ending = true;
    CatchUpResult r = new CatchUpResult(outcome, message, startBlock, local, target, applied, failed, status,
        Duration.ofNanos(System.nanoTime() - startNanos), Optional.ofNullable(fork));
    Level level = outcome.success() ? Level.INFO : Level.WARNING;
    if (fork != null) {
      level = forkLevel(fork);
    }
    LOG.log(level, "[CATCH-UP] " + outcome + ": " + message
        + " (blocks " + Long.toUnsignedString(startBlock) + " -> " + Long.toUnsignedString(local) + ", applied "
        + applied + ")");
    result.complete(r);
  }
}
