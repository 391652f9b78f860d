package io.peerlink.node.role;

import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.discovery.core.catchup.CatchUpResult;
import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.catchup.TipCheck;
import io.peerlink.discovery.core.discovery.DiscoveryResult;
import io.peerlink.discovery.core.discovery.EpochAgreement;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SyncListener;
import io.peerlink.discovery.core.discovery.SyncMonitor;
import io.peerlink.discovery.core.discovery.SyncState;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.metrics.DiscoveryMeters;
import io.peerlink.node.metrics.NodeMetrics;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node role (the seed's consensus node side): at start and every {@code discovery.interval},
 * discovery-core checks the node's own master against its peers ({@link SyncMonitor}, which logs
 * the seed's {@code [PEER EPOCH]} lines); when the node is behind, {@link CatchUp} fetches the
 * missing blocks from the peers and hands them to the own master with {@code sync_blocks}, until
 * the node is Ready.
 *
 * <p>Behind by epoch with no block missing (peers moved their epoch with {@code advance_epoch}),
 * the node moves its own master to the epoch f+1 peers (a second peer under highest) report,
 * with the start as many of them give ({@link EpochAgreement}); fetched blocks reach it only when
 * no block's epoch is above that epoch. Its own commits (the block channel) move it without asking anyone.
 *
 * <p>At most one catch-up runs at a time. One that ends short of the tip (peers failed, stalled)
 * is tried again after one interval, after a fresh check. When the local master refuses or skips
 * the blocks handed to it ({@link #MAX_REFUSALS} times at the same last block, e.g. a Go master
 * skipping blocks without {@code raw_block_bytes}), catch-up stops with an ERROR naming the
 * master and the block, and resumes only once the local master's last block moves.
 *
 * <p>When catch-up finds the own master's chain forks from the one f+1 peers confirm
 * ({@link CatchUpResult.Outcome#LOCAL_FORKED}), nothing can be fetched onto it: the node stays
 * behind (not Ready), says so at ERROR once per fork with where the chains part and what the
 * operator does (roll the store back, or move it aside), and re-checks every interval, at DEBUG
 * while the fork stays the same; {@code peerlink_catchup_local_forked} is 1 meanwhile.
 *
 * <p>Catch-up only runs when the node is behind, so a node whose own chain forks within the gap
 * threshold of the tip would be Ready on a chain f+1 peers contradict. So when the state becomes
 * ready (Ready or Ahead, not isolated), and every {@link #TIP_CHECK_INTERVALS} intervals while it
 * stays so, the role checks its own tip ({@link CatchUp#checkOwnTip}). It runs after Ready is
 * reported and can only take it back: a fork found ({@link TipCheck.Outcome#FORKED}) makes the
 * node not ready ({@link #fork()}: {@code /health/ready}, {@code peerlink_sync_ready}) with the
 * same ERROR line once per fork and the same gauge as catch-up's, without starting a catch-up
 * (nothing can be fetched onto a forked chain). A later check that confirms the own block, or a
 * catch-up that applies blocks (they chain from the own tip to a confirmed hash), clears it. An
 * inconclusive check changes nothing: an honest node keeps its Ready.
 */
public final class NodeRole implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRole.class);

  private final NodeConfig config;
  private final NodeMetrics meters;
  private final PeerDiscovery discovery;
  private final SyncMonitor monitor;
  private final MasterClient localMaster;
  private final CatchUp catchUp;
  private final ScheduledExecutorService scheduler;
  private final List<SyncListener> syncListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<CatchUpResult>> catchUpListeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<SyncStatus> firstReady = new CompletableFuture<>();

  /** Catch-ups the local master refused or skipped at the same last block before catch-up stops. */
  static final int MAX_REFUSALS = 3;

  /**
   * While ready, the own tip is checked again every this many {@code discovery.interval}s: each
   * check costs every peer one block request, and a fork does not come and go between checks.
   */
  public static final int TIP_CHECK_INTERVALS = 5;

  private boolean started; // guarded by this
  private boolean catchingUp; // guarded by this
  private boolean checkingTip; // guarded by this
  private long refusedAt = -1; // the local last block the local master last refused blocks after; guarded by this
  private int refusals; // guarded by this
  private volatile boolean closed;
  /** The last catch-up ended behind by epoch and the master was not moved (no agreement, or it refused). */
  private volatile boolean epochHeldBack;
  /** Why the epoch was last held back, said at WARN once until it changes. */
  private volatile String heldBackReason = "";
  /**
   * The own chain's fork, said at ERROR when found (by catch-up or the tip check); null until one
   * is found, and again after a tip check that confirms the own block or a catch-up that applies
   * blocks. The node is not ready while it is set.
   */
  private volatile ChainFork fork;
  private volatile DiscoveryMeters measured;

  /**
   * The role over its parts, which the node's Guice modules build ({@code DiscoveryModule}); it
   * owns them from here on and closes them with itself.
   *
   * @param config the node's number, its own master, the peers, the discovery interval
   * @param meters where discovery, catch-up and the sync state are measured
   * @param discovery the peers' status rounds (dialled through the socket-owner check)
   * @param monitor the sync decision at start and every interval
   * @param localMaster the node's own master, moved to the agreed epoch when behind by epoch only
   * @param catchUp fetches missing blocks into the own master
   * @param scheduler the role's thread: catch-up steps and rechecks
   */
  @Inject
  public NodeRole(NodeConfig config, NodeMetrics meters, PeerDiscovery discovery, SyncMonitor monitor,
      MasterClient localMaster, CatchUp catchUp, ScheduledExecutorService scheduler) {
    this.config = config;
    this.meters = meters;
    this.discovery = discovery;
    this.monitor = monitor;
    this.localMaster = localMaster;
    this.catchUp = catchUp;
    this.scheduler = scheduler;
  }

  /** Hears about every change of sync state; add before {@link #start()}. */
  public void addSyncListener(SyncListener listener) {
    syncListeners.add(listener);
  }

  /** Hears about the end of every catch-up run. */
  public void addCatchUpListener(Consumer<CatchUpResult> listener) {
    catchUpListeners.add(listener);
  }

  /** Completes with the first status that is ready (Ready or Ahead). */
  public CompletableFuture<SyncStatus> firstReady() {
    return firstReady;
  }

  /** Where catch-up hands verified blocks, in words: the own master's socket, or its state in this process. */
  public String blockSinkName() {
    return catchUp.sinkName();
  }

  /** The status last reported; empty before the first check. */
  public Optional<SyncStatus> current() {
    return monitor.current();
  }

  /**
   * Where the own master's chain forks from the one f+1 peers confirm, as catch-up or the check
   * of the own tip last found it; empty when no fork is known. While present the node is not
   * ready, whatever {@link #current()} says.
   */
  public Optional<ChainFork> fork() {
    return Optional.ofNullable(fork);
  }

  /** Whether the node may take part: its last status is ready and its own chain is not known to fork. */
  public boolean ready() {
    return fork == null && current().map(SyncStatus::ready).orElse(false);
  }

  /** Starts checking: the first check now, then every interval. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    LOG.info("node {}: asking its own master at {} and {} peer(s) {} every {} ms", config.nodeId(),
        config.localMaster(), config.peers().size(), config.peers(), config.discovery().checkInterval().toMillis());
    measured = meters.bindDiscovery(discovery.peers(), config.localMaster(), this::current, this::fork);
    discovery.addListener(measured);
    catchUp.addListener(measured);
    monitor.addListener(this::onStateChange);
    for (SyncListener l : syncListeners) {
      monitor.addListener(l);
    }
    monitor.start();
    long period = config.discovery().checkInterval().toMillis() * TIP_CHECK_INTERVALS;
    try {
      scheduler.scheduleWithFixedDelay(() -> current().filter(s -> s.ready() && !s.isolated())
          .ifPresent(this::checkTip), period, period, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing: nothing more to do
    }
  }

  private void onStateChange(SyncStatus previous, SyncStatus current) {
    SyncState state = current.state();
    if (state.isReady()) {
      LOG.info("node {}: {} (epoch={} block={}{})", config.nodeId(), state,
          Long.toUnsignedString(current.localEpoch()), Long.toUnsignedString(current.localBlock()),
          current.isolated() ? ", isolated: no peer answered" : "");
      firstReady.complete(current);
      if (!current.isolated()) {
        checkTip(current);
      }
    } else if (isBehind(current)) {
      LOG.info("node {}: behind the network: {}", config.nodeId(), current.summary());
      startCatchUp(current);
    } else {
      LOG.info("node {}: {}", config.nodeId(), current.summary());
    }
  }

  private static boolean isBehind(SyncStatus s) {
    return s.state() instanceof SyncState.SyncingCommits || s.state() instanceof SyncState.SyncingEpoch;
  }

  private void startCatchUp(SyncStatus status) {
    synchronized (this) {
      if (catchingUp || closed) {
        return;
      }
      if (refusals >= MAX_REFUSALS && status.localBlock() == refusedAt) {
        LOG.warn("node {}: catch-up stays stopped: the local master at {} still holds block {} and refused what"
            + " followed it {} times; it resumes when that block moves", config.nodeId(), config.localMaster(),
            Long.toUnsignedString(refusedAt), refusals);
        recheck(config.discovery().checkInterval());
        return;
      }
      catchingUp = true;
    }
    catchUp.run(status)
        .thenCompose(result -> afterCatchUp(status, result).thenApply(x -> result))
        .whenComplete((result, error) -> {
          synchronized (this) {
            catchingUp = false;
          }
          if (result != null) {
            measured.onCatchUpEnded(result);
          }
          if (error != null) {
            LOG.warn("node {}: catch-up failed: {}", config.nodeId(), error.getMessage());
          } else if (result.outcome() == CatchUpResult.Outcome.LOCAL_FORKED) {
            forked(result.fork().orElseThrow(), "catch-up LOCAL_FORKED", result.message(),
                config.discovery().checkInterval());
            catchUpListeners.forEach(l -> l.accept(result));
          } else if (result.outcome() == CatchUpResult.Outcome.SINK_FAILED) {
            int times = refused(status.localBlock());
            LOG.error("node {}: catch-up {}: {}{}", config.nodeId(), result.outcome(), result.message(),
                times >= MAX_REFUSALS ? "; refused " + times + " times at block " + Long.toUnsignedString(status.localBlock())
                    + ": catch-up stops until the local master's last block moves" : "");
            catchUpListeners.forEach(l -> l.accept(result));
          } else {
            if (result.outcome() == CatchUpResult.Outcome.CAUGHT_UP && fork != null) {
              // Blocks applied chain from the own tip to a confirmed hash: no fork below it.
              LOG.info("node {}: catch-up applied blocks onto the own chain: it no longer forks from the network",
                  config.nodeId());
              fork = null;
            }
            LOG.info("node {}: catch-up {}: {}", config.nodeId(), result.outcome(), result.message());
            catchUpListeners.forEach(l -> l.accept(result));
          }
          // Straight on after progress; after a failure, or an epoch held back, wait a round.
          recheck(error == null && result.outcome().success() && !epochHeldBack
              ? Duration.ZERO : config.discovery().checkInterval());
        });
  }

  /**
   * The own chain forks from the network's, as {@code how} found it: the node is not ready; ERROR
   * once per fork, DEBUG while it stays the same.
   */
  private void forked(ChainFork found, String how, String message, Duration every) {
    if (found.sameFork(fork)) {
      LOG.debug("node {}: still not Ready: the own master's chain still forks from the network ({}); re-checking"
          + " every {} ms", config.nodeId(), found, every.toMillis());
      return;
    }
    fork = found;
    LOG.error("node {}: not Ready, and catch-up cannot make it so: {}: {} The node re-checks every {} ms and says"
        + " this again only if the fork changes.", config.nodeId(), how, message, every.toMillis());
  }

  /**
   * Checks that the own tip is the network's ({@link CatchUp#checkOwnTip}), one check at a time;
   * only a fork found changes readiness, and no catch-up starts on its account.
   */
  private void checkTip(SyncStatus status) {
    synchronized (this) {
      if (checkingTip || closed) {
        return;
      }
      checkingTip = true;
    }
    Duration every = config.discovery().checkInterval().multipliedBy(TIP_CHECK_INTERVALS);
    catchUp.checkOwnTip(status).whenComplete((check, error) -> {
      synchronized (this) {
        checkingTip = false;
      }
      if (error != null) {
        LOG.warn("node {}: checking the own tip failed: {}", config.nodeId(), error.getMessage());
      } else if (check.outcome() == TipCheck.Outcome.FORKED) {
        forked(check.fork().orElseThrow(), "the check of its own tip (block " + Long.toUnsignedString(check.block())
            + ") found", check.message(), every);
      } else if (check.outcome() == TipCheck.Outcome.CONFIRMED && fork != null) {
        fork = null;
        LOG.info("node {}: the own chain is the network's again ({}); the fork no longer holds it back",
            config.nodeId(), check.message());
      } else {
        LOG.debug("node {}: own tip check {}: {}", config.nodeId(), check.outcome(), check.message());
      }
    });
  }

  /** Counts a refusal by the local master after {@code localBlock}; how many in a row at that block. */
  private synchronized int refused(long localBlock) {
    if (localBlock != refusedAt) {
      refusedAt = localBlock;
      refusals = 0;
    }
    return ++refusals;
  }

  /**
   * Behind by epoch with nothing to fetch: take the network's epoch, as the peers did; but only
   * the {@linkplain EpochAgreement#agreedEpoch agreed epoch} (f+1 peers, a second one under
   * highest, report it) with a start as many of them give identically, never one peer's claim:
   * an epoch moved to cannot be undone.
   */
  private CompletableFuture<Void> afterCatchUp(SyncStatus before, CatchUpResult result) {
    epochHeldBack = false;
    SyncStatus last = result.lastStatus();
    if (result.outcome() != CatchUpResult.Outcome.NOTHING_TO_FETCH
        || !(last.state() instanceof SyncState.SyncingEpoch) || last.bestPeer().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    DiscoveryResult round = last.discovery();
    OptionalLong agreed = EpochAgreement.agreedEpoch(round);
    if (agreed.isEmpty() || Long.compareUnsigned(agreed.getAsLong(), last.localEpoch()) <= 0) {
      return heldBack("the own master stays at epoch " + Long.toUnsignedString(last.localEpoch())
          + ": no later epoch is reported by " + EpochAgreement.voices(round) + " peer(s) (" + round.policy()
          + ")");
    }
    long epoch = agreed.getAsLong();
    return EpochAgreement.agreedStart(discovery, round, epoch).thenCompose(start -> {
      if (start.isEmpty()) {
        return heldBack("the own master stays at epoch " + Long.toUnsignedString(last.localEpoch()) + ": no start of"
            + " epoch " + Long.toUnsignedString(epoch) + " is given identically by " + EpochAgreement.voices(round)
            + " peer(s)");
      }
      return localMaster.advanceEpoch(epoch, start.getAsLong(), last.localBlock()).handle((r, e) -> {
        if (e != null) {
          heldBack("could not move the own master to epoch " + Long.toUnsignedString(epoch) + ": " + e.getMessage());
        } else {
          heldBackReason = "";
          LOG.info("node {}: moved the own master to epoch {} (reported by {} peer(s), {}), start {} ms, boundary"
              + " block {}", config.nodeId(), Long.toUnsignedString(r.newEpoch()), EpochAgreement.voices(round),
              round.policy(), Long.toUnsignedString(r.epochStartTimestampMs()), Long.toUnsignedString(last.localBlock()));
        }
        return null;
      });
    });
  }

  /** Notes that the epoch stays behind; WARN the first time for a reason, DEBUG while it repeats. */
  private CompletableFuture<Void> heldBack(String why) {
    epochHeldBack = true;
    if (why.equals(heldBackReason)) {
      LOG.debug("node {}: {} (as before)", config.nodeId(), why);
    } else {
      heldBackReason = why;
      LOG.warn("node {}: {}", config.nodeId(), why);
    }
    return CompletableFuture.completedFuture(null);
  }

  /** A fresh check after a catch-up; still behind means another catch-up. */
  private void recheck(Duration delay) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(() -> {
        if (closed) {
          return;
        }
        monitor.checkNow().whenComplete((status, error) -> {
          if (error == null && isBehind(status)) {
            startCatchUp(status);
          }
        });
      }, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing: nothing more to do
    }
  }

  /** Stops checking and catching up, and closes the connections; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    monitor.close();
    scheduler.shutdownNow();
    discovery.close();
    localMaster.close();
    firstReady.cancel(false);
  }
}
