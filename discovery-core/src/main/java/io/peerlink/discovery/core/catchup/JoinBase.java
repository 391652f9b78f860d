package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.client.MasterErrorException;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an EMPTY local master joins a network whose peers pruned block 1: it starts its chain at a
 * base block. The base is the operator's {@link TrustedCheckpoint}, or, without one, the lowest
 * block f+1 peers still hold (each peer's floor read from its pruned error for block 1). Either
 * way the base's hash is confirmed by f+1 peers with the same {@link HashConfirmation} catch-up
 * uses for every batch end, and a checkpoint whose hash is not the confirmed one ends the run with
 * nothing stored. The base block itself is then fetched from a peer that confirmed it, checked
 * against the confirmed hash, and handed to the local master with {@code sync_blocks}; an empty
 * master stores it as its first block, and catch-up goes on from it as from any local tip.
 */
final class JoinBase {
  private static final Logger LOG = System.getLogger(CatchUp.class.getName());
  /** The floor in a peerlink master's answer for blocks it pruned (node-app ChainReads). */
  private static final Pattern FLOOR = Pattern.compile("blocks below (\\d+) were pruned");

  private final CatchUpRun run;
  private final TrustedCheckpoint checkpoint;

  private JoinBase(CatchUpRun run, TrustedCheckpoint checkpoint) {
    this.run = run;
    this.checkpoint = checkpoint;
  }

  /** On an empty local chain: adopt a base when block 1 is not to be had (or a checkpoint is set), then {@code next}. */
  static void then(CatchUpRun run, TrustedCheckpoint checkpoint, Runnable next) {
    JoinBase join = new JoinBase(run, checkpoint);
    if (checkpoint != null) {
      join.confirmBase(checkpoint.block(), null, next);
    } else {
      join.findFloor(next);
    }
  }

  /** Asks every candidate for block 1; the f+1-th lowest floor is a block f+1 peers hold. */
  private void findFloor(Runnable next) {
    List<Endpoint> peers = Candidates.holders(run.candidates, run.bans, 1);
    List<CompletableFuture<Long>> floors = new ArrayList<>();
    for (Endpoint p : peers) {
      floors.add(range(p, 1).handle((blocks, err) -> err == null ? (blocks.isEmpty() ? -1L : 1L) : floorOf(err)));
    }
    CompletableFuture.allOf(floors.toArray(new CompletableFuture<?>[0])).whenCompleteAsync((v, e) -> run.step(() -> {
      List<Long> held = new ArrayList<>();
      for (CompletableFuture<Long> f : floors) {
        if (f.join() > 0) {
          held.add(f.join());
        }
      }
      held.sort(Long::compare);
      if (held.size() < run.required) {
        run.finish(CatchUpResult.Outcome.UNCONFIRMED, "the local master is empty and only " + held.size()
            + " of the peers " + peers + " said which blocks they hold (" + run.required + " needed to agree on a"
            + " base block); set catch_up.trusted_checkpoint to start from a block you trust");
        return;
      }
      if (held.get(run.required - 1) == 1) {
        next.run(); // block 1 is there: the chain starts at its beginning, as always
        return;
      }
      tryFloors(held, run.required - 1, next);
    }), run.executor);
  }

  /** Block {@code number} from {@code peer}; a client that cannot be made is a failed answer. */
  private CompletableFuture<List<BlockData>> range(Endpoint peer, long number) {
    try {
      return run.discovery.client(peer).blocksRange(number, number);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static long floorOf(Throwable err) {
    Throwable cause = PeerOutcome.unwrap(err);
    if (cause instanceof MasterErrorException m) {
      Matcher matcher = FLOOR.matcher(m.serverMessage());
      if (matcher.find()) {
        return Long.parseLong(matcher.group(1));
      }
    }
    return -1;
  }

  /**
   * Tries floor {@code i} (ascending) as the base, then the next ones: a liar claiming a floor lower
   * than its honest peers' can make the f+1-th lowest floor one only one honest peer holds, and the
   * highest floor is one every peer that named a floor holds.
   */
  private void tryFloors(List<Long> floors, int i, Runnable next) {
    long base = floors.get(i);
    LOG.log(Level.INFO, "[CATCH-UP] The local master is empty and the peers pruned block 1 (floors " + floors
        + "): starting its chain at block " + base + ", the lowest block " + run.required + " peers hold");
    confirmBase(base, i + 1 < floors.size() && floors.get(i + 1) != base ? () -> tryFloors(floors, i + 1, next) : null,
        next);
  }

  /**
   * Confirms block {@code base}'s hash with f+1 peers (and the checkpoint's), fetches it, applies it;
   * unconfirmed, runs {@code otherwise} when there is one.
   */
  private void confirmBase(long base, Runnable otherwise, Runnable next) {
    run.confirm(base, Candidates.holders(run.candidates, run.bans, base), c -> {
      if (!c.confirmed() && otherwise != null) {
        otherwise.run();
        return;
      }
      if (!c.confirmed()) {
        run.finish(CatchUpResult.Outcome.UNCONFIRMED, "no base block for the empty local master: " + c.describe());
        return;
      }
      if (checkpoint != null && !checkpoint.matches(c.hash)) {
        run.finish(CatchUpResult.Outcome.UNCONFIRMED, "catch_up.trusted_checkpoint refused: block "
            + Long.toUnsignedString(base) + " has hash " + Hashes.hex(c.hash) + " at " + c.agreeing.size()
            + " peers " + c.agreeing + ", not the checkpoint's " + Hashes.hex(checkpoint.hash())
            + "; nothing was stored. Check the checkpoint, or the peers");
        return;
      }
      fetchBase(c, 0, next);
    });
  }

  private void fetchBase(HashConfirmation c, int i, Runnable next) {
    if (i >= c.agreeing.size()) {
      run.recheck();
      return;
    }
    Endpoint peer = c.agreeing.get(i);
    run.patience.guard(range(peer, c.number)).whenCompleteAsync((blocks, err) -> run.step(() -> {
      if (err != null || blocks.size() != 1 || !c.matches(blocks.get(0))
          || !Arrays.equals(blocks.get(0).blockHash(), c.hash)) {
        run.peerFailed(peer, PeerOutcome.Kind.PROTOCOL_ERROR, "did not serve the confirmed base block "
            + Long.toUnsignedString(c.number) + (err != null ? ": " + PeerOutcome.unwrap(err) : ""));
        fetchBase(c, i + 1, next);
        return;
      }
      LOG.log(Level.INFO, "[CATCH-UP] Base block " + Long.toUnsignedString(c.number) + " (" + Hashes.hex(c.hash)
          + ", " + (checkpoint != null ? "the trusted checkpoint" : c.agreeing.size() + " peers agree")
          + ") goes to the empty local master as its first block");
      run.apply(blocks, peer, next); // the run's local tip is now the base, its hash the base's
    }), run.executor);
  }
}
