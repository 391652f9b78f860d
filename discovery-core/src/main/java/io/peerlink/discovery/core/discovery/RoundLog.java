package io.peerlink.discovery.core.discovery;

import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The per-peer lines of one discovery round, bounded: the first {@link #PER_KIND} answers,
 * failures and backoff notices are logged one line each, as the seed does; the rest go to DEBUG
 * and one summary line at the round's end counts them by kind. A list of 20,000 peers then costs
 * a few dozen lines a round, not 20,000.
 */
final class RoundLog {
  /** Lines of each kind logged in full per round. */
  static final int PER_KIND = 10;

  private final Logger log;
  private int answers;
  private int failures;
  private int skips;
  private int answersUnlisted;
  private int skipsUnlisted;
  /** Peers not counted for a reason that outlasts the round, already named: by phrase. */
  private final Map<String, Integer> heldAgain = new TreeMap<>();
  private final Map<String, Integer> failuresUnlisted = new TreeMap<>();

  RoundLog(Logger log) {
    this.log = log;
  }

  /** A peer answered: the line at INFO while within the budget. */
  synchronized void answer(String line) {
    boolean listed = answers++ < PER_KIND;
    answersUnlisted += listed ? 0 : 1;
    log(Level.INFO, line, listed);
  }

  /** A peer failed: the line at WARNING while within the budget, else counted under {@code kind}. */
  synchronized void failure(String kind, String line) {
    boolean listed = failures++ < PER_KIND;
    if (!listed) {
      failuresUnlisted.merge(kind, 1, Integer::sum);
    }
    log(Level.WARNING, line, listed);
  }

  /** A peer is skipped for backoff (logged once per backoff by {@link PeerHealth}). */
  synchronized void skip(String line) {
    boolean listed = skips++ < PER_KIND;
    skipsUnlisted += listed ? 0 : 1;
    log(Level.WARNING, line, listed);
  }

  /**
   * A peer whose answer does not count for a reason that outlasts the round (a claim refused by
   * {@link EpochJumpGuard}, a ban from {@link PeerBans}): the line at WARNING when the peer is
   * {@code first} named for it, else only counted in the summary as "N {@code again}".
   */
  synchronized void held(String again, String line, boolean first) {
    if (!first) {
      heldAgain.merge(again, 1, Integer::sum);
    }
    log(Level.WARNING, line, first);
  }

  private void log(Level level, String line, boolean listed) {
    log.log(listed ? level : Level.DEBUG, line);
  }

  /** One line for everything not listed this round; nothing when everything was. */
  synchronized void summarise() {
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
    log.log(failed > 0 || skipsUnlisted > 0 || !heldAgain.isEmpty() ? Level.WARNING : Level.INFO, "[PEER EPOCH] This round, not listed one by"
        + " one: " + parts + " (the first " + PER_KIND + " of each are; --debug lists all)");
  }
}
