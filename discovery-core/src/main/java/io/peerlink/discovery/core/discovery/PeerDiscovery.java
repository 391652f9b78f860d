package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The seed's {@code query_peer_epochs}: asks every peer master and the local master for their
 * epoch and last block, all at once under one deadline, and picks the network tip with the
 * configured {@link SelectionPolicy}.
 *
 * <p>Unlike the seed, which asks peers one after another so that every dead peer adds its own
 * timeout, a round here takes at most about one {@link DiscoveryOptions#queryTimeout()} whatever
 * the number of peers: a peer that has not answered by the deadline counts as timed out. The
 * node's own master is removed from the peer list (endpoints compare after normalisation, so
 * {@code unix:///x} and {@code /x} are one). Peers that {@link PeerHealth} is backing off from are
 * not queried, nor peers {@link PeerBans} holds banned for contradicting a confirmed block hash
 * (their outcome is {@link PeerOutcome.Kind#BANNED}: they count toward no tip). When no tip can be
 * chosen, the local master's state stands in for the network's, and the log says so.
 *
 * <p>Each master keeps one {@link MasterClient}, and so one connection, across rounds; a client
 * whose connection may be in an unknown state (timed out, closed, garbled) is closed and dialled
 * afresh next round. Log lines ({@link RoundLog} writes them all, under this class's logger name)
 * keep the seed's words so operators' greps keep working:
 * <pre>
 * [PEER EPOCH] Querying N peer masters for epoch discovery...
 * [PEER EPOCH] Peer master (tcp://h:p): epoch=E, block=B
 * [PEER EPOCH] New best peer candidate: epoch=E block=B from tcp://h:p
 * [PEER EPOCH] Best peer found: E (block=B) from tcp://h:p
 * </pre>
 * and a warning naming the peer and the reason for each failure.
 *
 * <p>Thread-safe. Futures complete on a transport or timer thread: chain long work with the
 * {@code *Async} methods.
 */
public final class PeerDiscovery implements AutoCloseable {


  private final TransportRegistry transports;
  private final Endpoint localMaster;
  private final List<Endpoint> peers;
  private final DiscoveryOptions options;
  private final PeerHealth health;
  private final PeerBans bans;
  private final EpochJumpGuard epochJumps;
  private final ConcurrentHashMap<Endpoint, MasterClient> clients = new ConcurrentHashMap<>();
  private final List<DiscoveryListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * Discovery with its own {@link PeerHealth} built from the options' backoff steps.
   *
   * @param transports where connections come from
   * @param localMaster the node's own master (the seed's {@code executor_receive_socket_path})
   * @param peers the peer masters (the seed's {@code peer_go_master_sockets}); the local master
   *     and duplicates are dropped
   * @param options timeouts, policy, backoff steps
   */
  public PeerDiscovery(TransportRegistry transports, Endpoint localMaster, List<Endpoint> peers,
      DiscoveryOptions options) {
    this(transports, localMaster, peers, options, new PeerHealth(options.backoffSteps()));
  }

  /** As the four-argument form, with a given {@link PeerHealth} (e.g. one on a test clock). */
  public PeerDiscovery(TransportRegistry transports, Endpoint localMaster, List<Endpoint> peers,
      DiscoveryOptions options, PeerHealth health) {
    this.transports = Objects.requireNonNull(transports, "transports");
    this.localMaster = Objects.requireNonNull(localMaster, "localMaster");
    this.options = Objects.requireNonNull(options, "options");
    this.health = Objects.requireNonNull(health, "health");
    this.bans = new PeerBans(options.banDuration());
    this.epochJumps = new EpochJumpGuard(options.maxEpochJump());
    LinkedHashSet<Endpoint> unique = new LinkedHashSet<>();
    for (Endpoint p : Objects.requireNonNull(peers, "peers")) {
      Objects.requireNonNull(p, "peers must not contain null");
      if (p.equals(localMaster)) {
        RoundLog.ownMasterListed(p);
      } else if (!unique.add(p)) {
        RoundLog.listedTwice(p);
      }
    }
    this.peers = List.copyOf(unique);
    int required = options.selectionPolicy().requiredAnswers(this.peers.size());
    if (required > this.peers.size()) {
      RoundLog.tooFewPeers(options.selectionPolicy(), required, this.peers.size());
    }
  }

  /** The peer masters queried each round, in configuration order, without the node's own master. */
  public List<Endpoint> peers() {
    return peers;
  }

  /** The node's own master. */
  public Endpoint localMaster() {
    return localMaster;
  }

  /** The options in use. */
  public DiscoveryOptions options() {
    return options;
  }

  /** The peers' health, shared with {@link CatchUp}. */
  public PeerHealth health() {
    return health;
  }

  /** The peers banned for contradicting a confirmed block hash, shared with {@link CatchUp}. */
  public PeerBans bans() {
    return bans;
  }

  /** Adds a listener; it hears about every round that ends from now on. */
  public void addListener(DiscoveryListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Runs one round.
   *
   * @return completes, never exceptionally unless this is closed, within about one query timeout
   */
  public CompletableFuture<DiscoveryResult> discover() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("peer discovery is closed"));
    }
    long start = System.nanoTime();
    Duration timeout = options.queryTimeout();
    // One deadline for the whole round: every query still open when it fires counts as timed out.
    CompletableFuture<Void> deadline = new CompletableFuture<Void>()
        .completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS);

    List<CompletableFuture<PeerOutcome>> outcomes = new ArrayList<>(peers.size());
    List<Endpoint> queried = new ArrayList<>(peers.size());
    RoundLog roundLog = new RoundLog();
    for (Endpoint p : peers) {
      Optional<PeerBan> ban = bans.current(p);
      if (ban.isPresent()) {
        String reason = "banned for " + bans.remaining(p).toSeconds() + " s more: " + ban.get().what() + " at block "
            + Long.toUnsignedString(ban.get().blockNumber());
        roundLog.banned(p, reason);
        outcomes.add(CompletableFuture.completedFuture(PeerOutcome.failed(p, PeerOutcome.Kind.BANNED, reason,
            Duration.ZERO)));
      } else if (health.shouldSkip(p, roundLog::skip)) {
        outcomes.add(CompletableFuture.completedFuture(PeerOutcome.failed(p, PeerOutcome.Kind.SKIPPED_UNHEALTHY,
            "skipped unhealthy: " + health.consecutiveFailures(p) + " consecutive failures, backing off for "
                + health.remainingBackoff(p).toMillis() + " ms", Duration.ZERO)));
      } else {
        queried.add(p);
        outcomes.add(null);
      }
    }
    roundLog.querying(queried.size());
    for (int i = 0; i < peers.size(); i++) {
      if (outcomes.get(i) == null) {
        Endpoint p = peers.get(i);
        outcomes.set(i, query(p, start, timeout, deadline).thenApply(o -> {
          if (o.answered()) {
            health.recordSuccess(p);
          } else {
            health.recordFailure(p, o.reason());
          }
          roundLog.outcome(o);
          return o;
        }));
      }
    }
    CompletableFuture<PeerOutcome> local = query(localMaster, start, timeout, deadline).thenApply(o -> {
      if (!o.answered()) {
        roundLog.localFailed(localMaster, o.reason());
      }
      return o;
    });

    List<CompletableFuture<?>> all = new ArrayList<>(outcomes);
    all.add(local);
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
      deadline.complete(null); // releases the timer's hold on this round
      List<PeerOutcome> list = new ArrayList<>(outcomes.size());
      for (CompletableFuture<PeerOutcome> f : outcomes) {
        list.add(f.join());
      }
      SelectionPolicy policy = options.selectionPolicy();
      if (!policy.isQuorum()) {
        // One answer can be the tip: an epoch far above the local one must not be it.
        list = epochJumps.apply(list, local.join().status(), health, roundLog);
      }
      Optional<PeerOutcome> best = policy.select(list, peers.size());
      DiscoveryResult result = new DiscoveryResult(list, local.join(), best, policy,
          policy.requiredAnswers(peers.size()), Duration.ofNanos(System.nanoTime() - start));
      roundLog.decided(result);
      for (DiscoveryListener l : listeners) {
        try {
          l.onRound(result);
        } catch (RuntimeException e) {
          roundLog.listenerFailed(l, e);
        }
      }
      return result;
    });
  }

  private CompletableFuture<PeerOutcome> query(Endpoint endpoint, long start, Duration timeout,
      CompletableFuture<Void> deadline) {
    MasterClient client;
    CompletableFuture<MasterStatus> status;
    try {
      client = client(endpoint);
      status = client.status();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(PeerOutcome.failure(endpoint, e, since(start)));
    }
    CompletableFuture<PeerOutcome> out = new CompletableFuture<>();
    status.whenComplete((s, e) -> out.complete(e == null
        ? PeerOutcome.answered(endpoint, s, since(start))
        : PeerOutcome.failure(endpoint, e, since(start))));
    deadline.thenRun(() -> out.complete(client.hasOpenConnection()
        ? PeerOutcome.failed(endpoint, PeerOutcome.Kind.PROTOCOL_ERROR, "no answer in the protocol: connected, but"
            + " nothing came back within " + timeout.toMillis() + " ms (does it serve another protocol, e.g. HTTP?)",
            since(start))
        : PeerOutcome.failed(endpoint, PeerOutcome.Kind.TIMED_OUT,
            "timed out: no answer within " + timeout.toMillis() + " ms (the round's deadline)", since(start))));
    return out.thenApply(o -> {
      if (!o.answered() && o.kind() != PeerOutcome.Kind.ERROR_RESPONSE) {
        // The connection may be hung or hold a late answer: start afresh next time.
        discard(endpoint, client);
      }
      return o;
    });
  }


  /**
   * The client this discovery keeps for a master, created on first use: catch-up and the epoch
   * checks fetch through it, so a peer is reached over one connection whoever asks.
   *
   * @throws IllegalStateException when this is closed
   */
  public MasterClient client(Endpoint endpoint) {
    if (closed) {
      throw new IllegalStateException("peer discovery is closed");
    }
    MasterClient c = clients.computeIfAbsent(endpoint,
        e -> new MasterClient(transports, e, options.fetchTimeout(), options.tls().orElse(null)));
    if (closed) {
      discard(endpoint, c);
      throw new IllegalStateException("peer discovery is closed");
    }
    return c;
  }

  /**
   * A peer failed a call made outside a round (catch-up's fetches): the failure counts against its
   * {@link PeerHealth}, and unless the peer answered (an {@code error}, or bytes out of the
   * protocol) its {@link #client} is closed, so the next call dials afresh.
   *
   * @param kind as {@link PeerOutcome#classify} reads the exception
   * @param reason the words the health log and backoff notice use
   */
  public void reportFailure(Endpoint peer, PeerOutcome.Kind kind, String reason) {
    health.recordFailure(peer, reason);
    if (kind != PeerOutcome.Kind.ERROR_RESPONSE && kind != PeerOutcome.Kind.PROTOCOL_ERROR) {
      MasterClient c = clients.get(peer);
      if (c != null) {
        discard(peer, c);
      }
    }
  }

  private void discard(Endpoint endpoint, MasterClient client) {
    if (clients.remove(endpoint, client)) {
      client.close();
    } else if (closed) {
      client.close();
    }
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Closes every client; rounds in flight finish with failures. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Endpoint e : List.copyOf(clients.keySet())) {
      MasterClient c = clients.remove(e);
      if (c != null) {
        c.close();
      }
    }
  }
}
