package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        new ForkSearch(run, q.block, q.hash, c, (fork, message) -> {
          run.fork = fork;
          run.finish(CatchUpResult.Outcome.LOCAL_FORKED, message);
        }).start();
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
}
