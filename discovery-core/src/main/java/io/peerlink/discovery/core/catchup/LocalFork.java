package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Whether the local master's own chain forks from the one f+1 peers confirm, for the sequential
 * path and {@link FetchWindow} alike. Every fetched block chains from the local tip's hash, so on
 * a forked local chain every honest peer's first batch fails its first parent link; blaming them
 * would fail every honest peer in turn. So a batch whose ONLY fault is that link
 * ({@link #suspects}) is judged by asking the holders for block {@code local} itself
 * ({@link HashConfirmation}, the run's f+1), once per local tip:
 * <ul>
 *   <li>f+1 confirm another hash than the local one: the local chain forks. The peer is not
 *       blamed; the fork point is searched for ({@link ForkSearch}) and the run ends
 *       {@link CatchUpResult.Outcome#LOCAL_FORKED}.</li>
 *   <li>f+1 confirm the local hash: the peer served a block whose parent contradicts a confirmed
 *       hash ({@link Contradiction}), and is banned for it.</li>
 *   <li>nothing confirmed: the peer fails for the run, as any broken batch does.</li>
 * </ul>
 * A liar alone cannot make an honest local chain look forked: it is one vote of f+1, and a peer
 * that returns another block than the confirmed one is banned by the confirmation itself.
 */
final class LocalFork {

  /** One question about one local tip, and who waits for its answer. */
  private static final class Question {
    final long block;
    final byte[] hash;
    HashConfirmation answer; // null while asking
    final List<Consumer<HashConfirmation>> waiting = new ArrayList<>();

    Question(long block, byte[] hash) {
      this.block = block;
      this.hash = hash;
    }
  }

  private final CatchUpRun run;
  private Question question; // the last one asked: its answer is the cache

  LocalFork(CatchUpRun run) {
    this.run = run;
  }

  /**
   * Whether a batch for blocks {@code from..to}, chained from {@code chainFrom}, that
   * {@link BatchCheck} refused, fails only its first parent link to the local tip: it starts right
   * after the local tip, and chained from its own first parent it passes every check.
   */
  boolean suspects(List<BlockData> blocks, long from, long to, byte[] chainFrom) {
    byte[] tip = run.lastHash;
    if (tip == null || from != run.local + 1 || !Arrays.equals(chainFrom, tip) || blocks == null || blocks.isEmpty()
        || blocks.get(0).blockNumber() != from) {
      return false;
    }
    byte[] parent = blocks.get(0).parentHash();
    return Hashes.whole(parent) && !Arrays.equals(parent, tip)
        && BatchCheck.verify(blocks, from, to, parent, run.status.discovery()) == null;
  }

  /**
   * Judges {@code peer}'s batch that {@link #suspects} said fails only its first parent link
   * ({@code problem}): bans or fails the peer and runs {@code next}, or ends the run
   * {@link CatchUpResult.Outcome#LOCAL_FORKED} without blaming it.
   */
  void judge(Endpoint peer, List<BlockData> blocks, long from, long to, String problem, Runnable next) {
    ask(q -> {
      if (run.ending) {
        return; // another step ended the run while the question was out
      }
      HashConfirmation c = q.answer;
      if (c.confirmed() && !Arrays.equals(c.hash, q.hash)) {
        run.ending = true; // a pipelined fetch still in flight must not go on
        new ForkSearch(run, q.block, q.hash, c).start();
        return;
      }
      Contradiction lie = c.confirmed() ? Contradiction.find(blocks, from, c, null) : null;
      if (lie != null) {
        run.ban(peer, lie.number(), lie.peerHash(), lie.confirmedHash(), lie.what());
        run.tell.accept(l -> l.onBatchFailed(peer, PeerOutcome.Kind.PROTOCOL_ERROR));
      } else {
        run.batchRefused(peer, from, to, problem);
      }
      next.run();
    });
  }

  /** Confirms the local tip's block with its holders, once per tip; {@code then} gets the question answered. */
  private void ask(Consumer<Question> then) {
    Question q = question;
    if (q != null && q.block == run.local && Arrays.equals(q.hash, run.lastHash)) {
      if (q.answer != null) {
        then.accept(q);
      } else {
        q.waiting.add(c -> then.accept(q));
      }
      return;
    }
    Question asked = new Question(run.local, run.lastHash);
    question = asked;
    asked.waiting.add(c -> then.accept(asked));
    run.confirm(asked.block, Candidates.holders(run.candidates, run.bans, asked.block), c -> {
      asked.answer = c;
      for (Consumer<HashConfirmation> w : List.copyOf(asked.waiting)) {
        w.accept(c);
      }
      asked.waiting.clear();
    });
  }

  /**
   * The fork point: the highest block F at or below the local tip that f+1 peers confirm with the
   * local master's own hash (and parent), by binary search between a block known to be common
   * (block 0 at first) and one known to differ (the local tip at first): chains are linked by
   * parent hashes, so once they differ they differ from there on. At most 64 rounds, each one
   * confirmation and one read of the local master's block, each within the no-progress timeout of
   * its own. A height the peers confirm nothing for (pruned, or no agreement) or that the local
   * master does not give raises the lower bound without being common; the result then gives bounds,
   * not a point. A round that times out ends the search with the bounds it has.
   */
  private static final class ForkSearch {
    /** One round's answers: the peers' confirmation, and the local master's block or why not. */
    private record Round(HashConfirmation peers, Object own) {
    }

    private final CatchUpRun run;
    private final long localBlock;
    private final byte[] localHash;
    private final HashConfirmation atTip;
    private long common; // the highest block known to be common; 0 for none
    private byte[] commonHash = new byte[0];
    private long low; // the search's lower bound: common, or a block nothing could be learnt of
    private long differs; // the lowest block known to differ
    private String unknown; // what was learnt of the highest unknown block, or null

    ForkSearch(CatchUpRun run, long localBlock, byte[] localHash, HashConfirmation atTip) {
      this.run = run;
      this.localBlock = localBlock;
      this.localHash = localHash;
      this.atTip = atTip;
      this.differs = localBlock;
    }

    void start() {
      next();
    }

    private void next() {
      if (differs - low <= 1) {
        done(null);
        return;
      }
      long mid = low + ((differs - low) >>> 1);
      CompletableFuture<HashConfirmation> peers = HashConfirmation.ask(run.discovery,
          Candidates.holders(run.candidates, run.bans, mid), mid, run.required);
      CompletableFuture<Round> both = peers.thenCombine(ownBlock(mid), Round::new);
      new Patience(run.options.noProgressTimeout()).guard(both).whenCompleteAsync((round, err) -> run.step(() -> {
        if (err != null) {
          Throwable cause = PeerOutcome.unwrap(err);
          done("the search stopped at block " + Long.toUnsignedString(mid) + ": " + (cause instanceof Patience.Stalled
              ? "no answer within " + run.options.noProgressTimeout().toMillis() + " ms" : cause.toString()));
          return;
        }
        HashConfirmation c = round.peers();
        run.banContradicting(c);
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
      }), run.executor);
    }

    /** The local master's block {@code n} (whole hashes), or why not, in words; never fails. */
    private CompletableFuture<Object> ownBlock(long n) {
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

    /** Ends the run LOCAL_FORKED with what is known; {@code stopped} says why the search stopped early, or null. */
    private void done(String stopped) {
      ChainFork fork = new ChainFork(localBlock, localHash, atTip.hash, atTip.agreeing, common, commonHash, differs);
      run.fork = fork;
      run.finish(CatchUpResult.Outcome.LOCAL_FORKED, message(fork, stopped));
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
}
