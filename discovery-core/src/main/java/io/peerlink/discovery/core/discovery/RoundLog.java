package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Every {@code [PEER EPOCH]} line, written here and nowhere else: what discovery makes of its peer
 * list, and one round's per-peer lines and decision. {@link PeerDiscovery} and
 * {@link EpochJumpGuard} report what happened; the words, the levels and the budget are this
 * class's, so one decision is never told twice, or differently, by two classes.
 *
 * <p>A round's per-peer lines are bounded: the first {@link #PER_KIND} answers, failures and
 * backoff notices are logged one line each, as the seed does; the rest go to DEBUG and one summary
 * line at the round's end counts them by kind. A list of 20,000 peers then costs a few dozen lines
 * a round, not 20,000. A peer held out for a reason that outlasts the round (a ban, a refused
 * claim) is named when that begins, and only counted in later rounds.
 *
 * <p>The lines go to {@link PeerDiscovery}'s logger: operators and the benchmarks filter on that
 * name.
 */
final class RoundLog {
  /** Lines of each kind logged in full per round. */
  static final int PER_KIND = 10;

  private static final Logger LOG = System.getLogger(PeerDiscovery.class.getName());
  /** How the round's summary counts banned peers (each named when its ban began, by {@link PeerBans}). */
  private static final String BANNED_AGAIN = "banned peer(s) not asked, as named when banned";
  /** How the round's summary counts claims refused again. */
  private static final String REFUSED_AGAIN = "peer claim(s) refused again, as named when first refused";

  private int answers;
  private int failures;
  private int skips;
  private int answersUnlisted;
  private int skipsUnlisted;
  /** Peers not counted for a reason that outlasts the round, already named: by phrase. */
  private final Map<String, Integer> heldAgain = new TreeMap<>();
  private final Map<String, Integer> failuresUnlisted = new TreeMap<>();
  /** The best answer so far, in arrival order, for the seed's "New best peer candidate" lines. */
  private MasterStatus best;

  /** The node's own master is in its peer list: it is left out. */
  static void ownMasterListed(Endpoint peer) {
    LOG.log(Level.INFO, "[PEER EPOCH] Skipping " + peer + " in the peer list: it is this node's own master");
  }

  /** A peer is listed more than once: it is asked once. */
  static void listedTwice(Endpoint peer) {
    LOG.log(Level.WARNING, "[PEER EPOCH] Peer master " + peer + " is listed more than once; querying it once");
  }

  /** The policy needs more answers than there are peers: no round can choose a tip. */
  static void tooFewPeers(SelectionPolicy policy, int required, int configured) {
    LOG.log(Level.WARNING, "[PEER EPOCH] Selection policy " + policy + " needs " + required
        + " answering peers but only " + configured + " are configured: every round will fall back to"
        + " the local master");
  }

  /** The round starts asking {@code count} peers. */
  void querying(int count) {
    LOG.log(Level.INFO, "[PEER EPOCH] Querying " + count + " peer masters for epoch discovery...");
  }

  /** A banned peer is not asked; named at WARNING by {@link PeerBans} when the ban began, so here only counted. */
  synchronized void banned(Endpoint peer, String reason) {
    held(BANNED_AGAIN, "[PEER EPOCH] Peer master (" + peer + ") not asked: " + reason, false);
  }

  /** A peer's claim is refused ({@link EpochJumpGuard}): named when {@code first}, else counted. */
  synchronized void claimRefused(Endpoint peer, String reason, boolean first) {
    held(REFUSED_AGAIN, "[PEER EPOCH] Peer master (" + peer + "): " + reason, first);
  }

  /** A peer is skipped for backoff: {@link PeerHealth}'s line, once per backoff. */
  synchronized void skip(String line) {
    boolean listed = skips++ < PER_KIND;
    skipsUnlisted += listed ? 0 : 1;
    log(Level.WARNING, line, listed);
  }

  /** A peer's outcome, as it arrives: its line, and a "new best" line when it is the best answer so far. */
  synchronized void outcome(PeerOutcome o) {
    if (!o.answered()) {
      boolean listed = failures++ < PER_KIND;
      if (!listed) {
        failuresUnlisted.merge(o.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '), 1, Integer::sum);
      }
      log(Level.WARNING, "[PEER EPOCH] Failed to query peer master (" + o.peer() + "): " + o.reason(), listed);
      return;
    }
    MasterStatus s = o.status().orElseThrow();
    boolean listed = answers++ < PER_KIND;
    answersUnlisted += listed ? 0 : 1;
    log(Level.INFO, "[PEER EPOCH] Peer master (" + o.peer() + "): epoch=" + Long.toUnsignedString(s.epoch())
        + ", block=" + Long.toUnsignedString(s.lastBlockNumber()), listed);
    if (best == null || SelectionPolicy.ORDER.compare(s, best) > 0) {
      best = s;
      LOG.log(Level.INFO, "[PEER EPOCH] New best peer candidate: epoch=" + Long.toUnsignedString(s.epoch())
          + " block=" + Long.toUnsignedString(s.lastBlockNumber()) + " from " + o.peer());
    }
  }

  /** The node's own master did not answer. */
  void localFailed(Endpoint localMaster, String reason) {
    LOG.log(Level.WARNING, "[PEER EPOCH] Failed to query local master (" + localMaster + "): " + reason);
  }

  /** A discovery listener threw; the others are still told. */
  void listenerFailed(DiscoveryListener listener, RuntimeException e) {
    LOG.log(Level.WARNING, "[PEER EPOCH] Discovery listener " + listener + " failed; others are still told", e);
  }

  /**
   * The round's end: one line for everything not listed one by one, then the decision: the best
   * peer (and a higher claim not confirmed, when there is one), or why there is none and what
   * stands in for the network.
   */
  synchronized void decided(DiscoveryResult r) {
    summarise();
    if (r.best().isPresent()) {
      PeerOutcome bestPeer = r.best().get();
      MasterStatus s = bestPeer.status().orElseThrow();
      LOG.log(Level.INFO, "[PEER EPOCH] Best peer found: " + Long.toUnsignedString(s.epoch()) + " (block="
          + Long.toUnsignedString(s.lastBlockNumber()) + ") from " + bestPeer.peer());
      Optional<PeerOutcome> highest = r.highest();
      if (highest.isPresent() && !highest.get().peer().equals(bestPeer.peer())
          && SelectionPolicy.ORDER.compare(highest.get().status().orElseThrow(), s) > 0) {
        MasterStatus h = highest.get().status().orElseThrow();
        LOG.log(Level.WARNING, "[PEER EPOCH] Highest claim epoch=" + Long.toUnsignedString(h.epoch()) + " block="
            + Long.toUnsignedString(h.lastBlockNumber()) + " from " + highest.get().peer() + " is not confirmed by "
            + r.requiredAnswers() + " peers (" + r.policy() + "); not following it");
      }
      return;
    }
    Endpoint localMaster = r.local().peer();
    String why = r.answered() == 0
        ? "No peer master answered (0 of " + r.peers().size() + ")"
        : "Only " + r.answered() + " of " + r.peers().size() + " peer masters answered; selection policy "
            + r.policy() + " needs " + r.requiredAnswers();
    String fallback = r.localStatus()
        .map(s -> "falling back to local master (" + localMaster + "): epoch=" + Long.toUnsignedString(s.epoch())
            + ", block=" + Long.toUnsignedString(s.lastBlockNumber()))
        .orElse("and the local master (" + localMaster + ") did not answer either: " + r.local().reason());
    LOG.log(Level.WARNING, "[PEER EPOCH] " + why + "; " + fallback);
  }

  /**
   * A line for a peer whose answer does not count for a reason that outlasts the round: at WARNING
   * when the peer is {@code first} named for it, else only counted in the summary as "N {@code again}".
   */
  private void held(String again, String line, boolean first) {
    if (!first) {
      heldAgain.merge(again, 1, Integer::sum);
    }
    log(Level.WARNING, line, first);
  }

  private static void log(Level level, String line, boolean listed) {
    LOG.log(listed ? level : Level.DEBUG, line);
  }

  /** One line for everything not listed this round; nothing when everything was. */
  private void summarise() {
    int failed = failuresUnlisted.values().stream().mapToInt(Integer::intValue).sum();
    if (failed == 0 && answersUnlisted == 0 && skipsUnlisted == 0 && heldAgain.isEmpty()) {
      return;
    }
    StringJoiner parts = new StringJoiner("; ");
    if (failed > 0) {
      StringJoiner kinds = new StringJoiner(", ");
      failuresUnlisted.forEach((kind, n) -> kinds.add(kind + " " + n));
      parts.add(failed + " more peer masters failed (" + kinds + ")");
    }
    if (skipsUnlisted > 0) {
      parts.add(skipsUnlisted + " more began a backoff");
    }
    heldAgain.forEach((again, n) -> parts.add(n + " " + again));
    if (answersUnlisted > 0) {
      parts.add(answersUnlisted + " more answered");
    }
    LOG.log(failed > 0 || skipsUnlisted > 0 || !heldAgain.isEmpty() ? Level.WARNING : Level.INFO,
        "[PEER EPOCH] This round, not listed one by one: " + parts + " (the first " + PER_KIND
            + " of each are; --debug lists all)");
  }
}
