package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link CatchUp#checkOwnTip}: whether the local master's own chain is the network's, for a node
 * that catch-up never looks at because it is not behind. It compares one block the local master
 * holds, by number (its tip may move meanwhile): the highest block at or below the status's local
 * block that f+1 peers claim, then, when that is not confirmed, the lower claims
 * ({@link Candidates#tipHeights}). Each height is one {@link ForkSearch#ask} round: the holders'
 * {@link HashConfirmation} and the local master's block at once; a peer contradicting a confirmed
 * hash is banned as in catch-up. The local master's own hash differing from a confirmed one starts
 * the {@link ForkSearch}. Runs on a {@link CatchUpRun} that fetches nothing: its candidates are
 * every peer that answered the round with a block, its steps the same lock and executor.
 */
final class OwnTipCheck {

  private static final Logger LOG = System.getLogger(CatchUp.class.getName());

  private final CatchUpRun run;
  private final CompletableFuture<TipCheck> result = new CompletableFuture<>();
  private final List<String> tried = new ArrayList<>();

  private OwnTipCheck(CatchUpRun run) {
    this.run = run;
  }

  /** Starts a check on {@code run}'s status; completes exceptionally only on an unexpected failure. */
  static CompletableFuture<TipCheck> start(CatchUpRun run) {
    OwnTipCheck check = new OwnTipCheck(run);
    run.result.whenComplete((r, err) -> check.result.completeExceptionally(err != null ? err
        : new IllegalStateException("the check's run ended: " + r)));
    run.executor.execute(() -> run.step(check::begin));
    return check.result;
  }

  private void begin() {
    SyncStatus s = run.status;
    long own = s.localBlock();
    if (s.discovery().localStatus().isEmpty()) {
      inconclusive(0, "the local master (" + run.discovery.localMaster() + ") did not answer the round: "
          + s.discovery().local().reason());
      return;
    }
    if (own == 0) {
      inconclusive(0, "the local master holds no block");
      return;
    }
    if (s.isolated()) {
      inconclusive(0, "no network tip to compare with (isolated)");
      return;
    }
    run.candidates = Candidates.of(s, 0, run.bans);
    List<Long> claims = new ArrayList<>();
    for (PeerOutcome o : run.candidates) {
      claims.add(o.status().orElseThrow().lastBlockNumber());
    }
    claims.sort((a, b) -> Long.compareUnsigned(b, a));
    if (claims.size() < run.required) {
      inconclusive(0, claims.size() + " peer(s) answered with a block, " + run.required + " needed to confirm one");
      return;
    }
    long held = claims.get(run.required - 1); // the highest block `required` peers claim
    long highest = Long.compareUnsigned(held, own) < 0 ? held : own;
    compare(Candidates.tipHeights(run.candidates, highest), 0);
  }

  /** Compares the highest of {@code heights} from index i that the holders confirm. */
  private void compare(List<Long> heights, int i) {
    if (i >= heights.size()) {
      inconclusive(0, "no block up to " + Long.toUnsignedString(heights.get(0)) + " has a hash " + run.required
          + " peers agree on: " + String.join("; ", tried));
      return;
    }
    long n = heights.get(i);
    List<Endpoint> holders = Candidates.holders(run.candidates, run.bans, n);
    if (holders.size() < run.required) {
      tried.add("block " + Long.toUnsignedString(n) + " is claimed by " + holders.size() + " peers " + holders);
      compare(heights, i + 1);
      return;
    }
    ForkSearch.ask(run, n, (round, failure) -> {
      if (round == null) {
        inconclusive(n, "asking for block " + Long.toUnsignedString(n) + ": " + failure);
        return;
      }
      HashConfirmation c = round.peers();
      if (!c.confirmed()) {
        tried.add(c.describe());
        compare(heights, i + 1);
      } else if (!(round.own() instanceof BlockData b)) {
        inconclusive(n, "the local master did not give its block " + Long.toUnsignedString(n) + ": " + round.own());
      } else if (c.matches(b)) {
        finish(new TipCheck(TipCheck.Outcome.CONFIRMED, n, c.describe() + "; the local master holds the same block",
            Optional.empty()), Level.DEBUG);
      } else {
        new ForkSearch(run, n, b.blockHash(), c, (fork, message) -> finish(new TipCheck(TipCheck.Outcome.FORKED, n,
            message, Optional.of(fork)), run.forkLevel(fork))).start();
      }
    });
  }

  private void inconclusive(long block, String why) {
    finish(new TipCheck(TipCheck.Outcome.INCONCLUSIVE, block, "the own chain could not be checked against the"
        + " network: " + why, Optional.empty()), Level.DEBUG);
  }

  private void finish(TipCheck check, Level level) {
    LOG.log(level, "[CATCH-UP] Own tip check " + check.outcome() + ": " + check.message());
    result.complete(check);
  }
}
