package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.EpochAgreement;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.PeerBans;
import io.peerlink.discovery.core.discovery.PeerHealth;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.discovery.SyncStatus;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fetches the blocks a node is missing from its peers and hands them to a {@link BlockSink}, when
 * the node is behind by blocks or by epoch, taking only blocks that f+1 peers vouch for.
 *
 * <p>One run:
 * <ol>
 *   <li>Candidates are the peers that answered the last round claiming blocks past the local tip
 *       (banned peers never answer a round: {@link PeerBans}); the chosen best peer first, then
 *       the others, highest first. The local tip's own hash is read from the local master: every
 *       fetched block must chain from it.</li>
 *   <li><b>The tip is confirmed before anything is fetched.</b> With k =
 *       {@link SelectionPolicy#confirmations(int)} (f+1 under quorum; a second peer under highest),
 *       block N of the network tip is asked for ({@code get_blocks_range N..N}) from every
 *       candidate that claims N or more; N is confirmed when k of them return the same 32-byte
 *       hash and parent hash. When they do not, the next lower claimed height is tried (at most
 *       8), so under highest the node goes only as far as a second peer
 *       confirms; when no height is confirmed the run ends {@link CatchUpResult.Outcome#UNCONFIRMED}
 *       with nothing fetched.</li>
 *   <li><b>Every batch ends at a confirmed hash.</b> Blocks are asked for in batches of at most
 *       {@link DiscoveryOptions#batchSize()}, local+1..e. Before a batch is fetched, the hash of its
 *       last block e is confirmed the same way (for the final batch, e = N, confirmed already), and
 *       the batch is fetched from a peer that returned that hash. It reaches the sink only when
 *       every check passes: consecutive numbers from local+1 to exactly e, whole hashes, each
 *       parent hash equal to the previous block's hash starting from the local tip's, and block e's
 *       hash and parent hash the confirmed ones, and no block's epoch below the one before it or
 *       above the round's {@linkplain EpochAgreement#agreedEpoch agreed epoch}. A batch the peer cut short (masters cap answers by count and bytes)
 *       is held while the hash of its own last block is confirmed, then applied or refused. So no
 *       block is applied that does not chain from the local tip to a
 *       hash k peers returned, and memory holds one batch and one block per peer (pipelined: the
 *       window's batches): bounded, however far behind the node is. (Fetching backwards from the tip by parent hash would need the whole
 *       gap in memory before the first block could be applied; confirming each batch's end costs
 *       one small request per peer per batch instead.)</li>
 *   <li><b>Pipelined</b> when {@link DiscoveryOptions#fetchLimits()} allows more than one fetch in
 *       flight ({@link FetchWindow}): the same checks, batch by batch, but every batch end of the
 *       window is confirmed ahead, a batch is fetched once its own end and the end before it are
 *       confirmed (so it is checked whole on arrival: from one confirmed hash to the next), from the
 *       least loaded peer that confirmed its end, with up to {@link FetchLimits#parallelFetches()}
 *       requests in flight and {@link FetchLimits#batchesAhead()} batches held besides the one being
 *       applied; batches reach the sink strictly in order. A peer over its range rate limit rests a
 *       second; one far below a minimum receive rate is dropped for the run.</li>
 *   <li><b>Liars are banned.</b> A peer that returned another hash for a confirmed block, or whose
 *       batch ends at another hash than the confirmed one, is banned for
 *       {@link DiscoveryOptions#banDuration()}: logged once with the block and both hashes, told to
 *       {@link CatchUpListener#onPeerBanned}, and left out of every round and confirmation until
 *       the ban ends.</li>
 *   <li><b>A forked local chain is not blamed on the peers.</b> A batch whose only fault is that
 *       its first block's parent is not the local tip's hash makes the run confirm the local tip's
 *       block itself with its holders (once per tip): when f+1 of them return another hash, the
 *       local master's own chain forks from the network; no peer is failed, the highest block both
 *       chains hold is searched for (binary search, one confirmation a step), and the run ends
 *       {@link CatchUpResult.Outcome#LOCAL_FORKED} with a {@link ChainFork}, logged at ERROR once
 *       per fork ({@link LocalFork}). When they return the local hash, the peer contradicted a
 *       confirmed hash and is banned; when nothing is confirmed, it fails as a broken batch. A node
 *       that is not behind is never run, so a fork within the gap threshold of the tip is for
 *       {@link #checkOwnTip} to find.</li>
 *   <li>A peer that fails to serve a batch (unreachable, timed out, broken or empty batch) is
 *       marked failed for the rest of the run, counts against its {@link PeerHealth}, and the next
 *       peer that confirmed the batch's end takes over from the same block.</li>
 *   <li>At the tip, discovery runs again; the run ends when the gap is within the threshold.</li>
 *   <li>When no block has been applied for {@link DiscoveryOptions#noProgressTimeout()}, the run
 *       says so, runs discovery again and ends as {@link CatchUpResult.Outcome#STALLED}: it never
 *       hangs.</li>
 * </ol>
 * What "hash" means is the master's business (a Go master and a peerlink master compute it
 * differently), so the checks are on the {@code block_hash} and {@code parent_hash} fields as
 * peers report them: they defeat a peer serving a chain of its own, not one that copies the honest
 * hashes onto other contents, which only a master recomputing hashes can catch.
 *
 * <p>Steps run on the given executor (by default the common pool); nothing here blocks a thread.
 */
public final class CatchUp {

  private static final Logger LOG = System.getLogger(CatchUp.class.getName());

  /** How many claimed heights a run tries to confirm, highest first, before it gives up. */
  static final int MAX_TIP_HEIGHTS = 8;

  private final SyncChecker checker;
  private final BlockSink sink;
  private final Executor executor;
  private final List<CatchUpListener> listeners = new CopyOnWriteArrayList<>();
  private volatile TrustedCheckpoint checkpoint;
  private final AtomicReference<ChainFork> lastFork = new AtomicReference<>(); // logged at ERROR once per fork

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

  /** Where verified batches go, in words ({@link BlockSink#name()}). */
  public String sinkName() {
    return sink.name();
  }

  /**
   * Where an EMPTY local master starts its chain: the operator's trusted block (its hash must also
   * be the one f+1 peers confirm); null (the default) starts at block 1, or, when the peers pruned
   * it, at the lowest block f+1 peers hold and agree on.
   */
  public void trustCheckpoint(TrustedCheckpoint trusted) {
    this.checkpoint = trusted;
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
    CatchUpRun run = new CatchUpRun(checker, sink, executor, this::tell, Objects.requireNonNull(status, "status"));
    run.checkpoint = checkpoint;
    run.lastFork = lastFork;
    executor.execute(run::start);
    return run.result;
  }

  /**
   * Whether the local master's own chain is the network's, for a node catch-up does not look at
   * because it is not behind (Ready, Ahead, or behind within the gap threshold): a chain that
   * forks within the threshold of the tip is found here, not by {@link #run}. From
   * {@code status}'s round, it takes the highest block at or below the local master's last block
   * that f+1 peers ({@link SelectionPolicy#confirmations(int)}) claim, confirms its hash with them
   * as catch-up confirms a tip, reads the local master's own block of that number (by number: the
   * local tip may move meanwhile), and compares the two (hash and parent hash). When that height
   * is not confirmed, the next lower claims are tried (at most {@value #MAX_TIP_HEIGHTS}).
   * <ul>
   *   <li>The same: {@link TipCheck.Outcome#CONFIRMED}.</li>
   *   <li>Another hash confirmed: {@link TipCheck.Outcome#FORKED}, with the fork point searched for
   *       as a {@link CatchUpResult.Outcome#LOCAL_FORKED} run does ({@link ChainFork}), logged at
   *       ERROR once per fork (shared with catch-up runs).</li>
   *   <li>Nothing confirmed (too few holders, peers pruned, no agreement, no answers within the
   *       no-progress timeout) or the local master did not give its block:
   *       {@link TipCheck.Outcome#INCONCLUSIVE}. Inconclusive is not a fork: a chain is only
   *       judged forked when f+1 peers confirm another hash.</li>
   * </ul>
   * Peers that agree are never failed or banned, whatever the outcome; a peer that returns
   * another block than the one f+1 peers confirm is banned, as in a run. Nothing is fetched or
   * applied. Fewer than f+1 liars can neither fake a fork (they cannot confirm a hash) nor hide one
   * (they cannot outvote f+1 honest holders, and a height they keep from being confirmed only moves
   * the check down to one the honest peers hold).
   *
   * @param status a status just checked, whose round says which peers hold which blocks
   * @return the check's finding; fails only on an unexpected error
   */
  public CompletableFuture<TipCheck> checkOwnTip(SyncStatus status) {
    CatchUpRun run = new CatchUpRun(checker, sink, executor, this::tell, Objects.requireNonNull(status, "status"));
    run.lastFork = lastFork;
    return OwnTipCheck.start(run);
  }
}
