package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The fork point: the highest block F at or below a local block known to differ that f+1 peers
 * confirm with the local master's own hash (and parent), by binary search between a block known
 * to be common (block 0 at first) and one known to differ (the block found to differ at first):
 * chains are linked by parent hashes, so once they differ they differ from there on. At most 64
 * rounds, each one confirmation and one read of the local master's block ({@link #ask}), each
 * within the no-progress timeout of its own. A height the peers confirm nothing for (pruned, or no
 * agreement) or that the local master does not give raises the lower bound without being common;
 * the result then gives bounds, not a point. A round that times out ends the search with the
 * bounds it has. Used by {@link LocalFork} (a catch-up run's local tip) and {@link OwnTipCheck}
 * (a Ready node's own chain).
 */
final class ForkSearch {

  /** One round's answers: the peers' confirmation, and the local master's block or why not, in words. */
  record Round(HashConfirmation peers, Object own) {
  }

  private final CatchUpRun run;
  private final long localBlock;
  private final byte[] localHash;
  private final HashConfirmation atTip;
  private final BiConsumer<ChainFork, String> found;
  private long common; // the highest block known to be common; 0 for none
  private byte[] commonHash = new byte[0];
  private long low; // the search's lower bound: common, or a block nothing could be learnt of
  private long differs; // the lowest block known to differ
  private String unknown; // what was learnt of the highest unknown block, or null

  /**
   * A search below {@code localBlock}, whose local hash {@code localHash} differs from the one
   * {@code atTip} confirms; {@code found} gets the fork and the operator's message, as a step of
   * the run.
   */
  ForkSearch(CatchUpRun run, long localBlock, byte[] localHash, HashConfirmation atTip,
      BiConsumer<ChainFork, String> found) {
    this.run = run;
    this.localBlock = localBlock;
    this.localHash = localHash;
    this.atTip = atTip;
    this.found = found;
    this.differs = localBlock;
  }

  void start() {
    next();
  }

  /**
   * Asks block {@code n} of its holders among the run's candidates and of the local master at
   * once, within the no-progress timeout; then, as a step of the run, bans every peer that
   * contradicts a confirmed hash and hands {@code then} the round, or null and why there is none.
   */
  static void ask(CatchUpRun run, long n, BiConsumer<Round, String> then) {
    CompletableFuture<HashConfirmation> peers = HashConfirmation.ask(run.discovery,
        Candidates.holders(run.candidates, run.bans, n), n, run.required);
    CompletableFuture<Round> both = peers.thenCombine(ownBlock(run, n), Round::new);
    new Patience(run.options.noProgressTimeout()).guard(both).whenCompleteAsync((round, err) -> run.step(() -> {
      if (err != null) {
        Throwable cause = PeerOutcome.unwrap(err);
        then.accept(null, cause instanceof Patience.Stalled
            ? "no answer within " + run.options.noProgressTimeout().toMillis() + " ms" : cause.toString());
        return;
      }
      run.banContradicting(round.peers());
      then.accept(round, null);
    }), run.executor);
  }

  private void next() {
    if (differs - low <= 1) {
      done(null);
      return;
    }
    long mid = low + ((differs - low) >>> 1);
    ask(run, mid, (round, failure) -> {
      if (round == null) {
        done("the search stopped at block " + Long.toUnsignedString(mid) + ": " + failure);
        return;
      }
      HashConfirmation c = round.peers();
      if (round.own() instanceof BlockData b && c.confirmed()) {
        if (c.matches(b)) {
          common = mid;
          commonHash = b.blockHash();
          low = mid;
          unknown = null;
        } else {
          differs = mid;
        }
      } else {
        low = mid;
        unknown = round.own() instanceof BlockData ? c.describe()
            : "the local master did not give block " + Long.toUnsignedString(mid) + ": " + round.own();
      }
      next();
    });
  }

  /** The local master's block {@code n} (whole hashes), or why not, in words; never fails. */
  private static CompletableFuture<Object> ownBlock(CatchUpRun run, long n) {
    CompletableFuture<List<BlockData>> call;
    try {
      call = run.discovery.client(run.discovery.localMaster()).blocksRange(n, n);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.handle((blocks, err) -> {
      if (err != null) {
        return PeerOutcome.unwrap(err).toString();
      }
      if (blocks.size() != 1 || blocks.get(0).blockNumber() != n || !Hashes.whole(blocks.get(0).blockHash())) {
        return "answered " + blocks;
      }
      return blocks.get(0);
    });
  }

  /** Hands on what is known; {@code stopped} says why the search stopped early, or null. */
  private void done(String stopped) {
    ChainFork fork = new ChainFork(localBlock, localHash, atTip.hash, atTip.agreeing, common, commonHash, differs);
    found.accept(fork, message(fork, stopped));
  }

  private String message(ChainFork f, String stopped) {
    String l = Long.toUnsignedString(f.localBlock());
    String common = Long.toUnsignedString(f.lastCommonBlock());
    String different = Long.toUnsignedString(f.firstDifferentBlock());
    StringBuilder m = new StringBuilder("the local master's own chain forks from the network: its block ").append(l)
        .append(" has hash ").append(Hashes.hex(f.localHash())).append(", but ").append(f.confirmedBy().size())
        .append(" peers ").append(f.confirmedBy()).append(" confirm hash ").append(Hashes.hex(f.confirmedHash()))
        .append(" (").append(run.required).append(" needed), so no peer's blocks can chain from it and none was"
            + " blamed for that. ");
    if (f.forkPointKnown() && f.lastCommonBlock() == 0) {
      m.append("The chains have no block in common: they differ from block 1. ");
    } else if (f.forkPointKnown()) {
      m.append("The chains part after block ").append(common).append(" (hash ")
          .append(Hashes.hex(f.lastCommonHash())).append("), the last block both hold; block ").append(different)
          .append(" differs. ");
    } else {
      m.append("The chains part at or below block ").append(different).append(", the lowest block checked that"
          + " differs; ").append(unknown != null ? "nothing older could be checked (" + unknown + ")"
              : stopped != null ? stopped : "blocks below it could not be checked")
          .append(f.lastCommonBlock() == 0 ? "; no block is known to be common. "
              : "; block " + common + " (hash " + Hashes.hex(f.lastCommonHash()) + ") is the last known to be"
                  + " common. ");
    }
    m.append("Catch-up cannot repair this: stop the master, then ");
    if (f.lastCommonBlock() == 0) {
      m.append("move its storage directory aside (or roll its store back to block 0, empty) and let it resync");
    } else {
      m.append("roll the master's store back to block ").append(common).append(" (a peerlink master: `peerlink store"
          + " rollback --config <its config> --to-block ").append(common).append(" --yes`), or move its storage"
          + " directory aside and let it resync");
    }
    return m.append(".").toString();
  }
}
