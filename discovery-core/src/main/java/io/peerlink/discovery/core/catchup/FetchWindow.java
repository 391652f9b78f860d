package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.AnswerLimits;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The pipelined fetch of one catch-up round ({@link FetchLimits#pipelined()}), from the local tip
 * to the confirmed tip of {@link CatchUpRun}: many batches asked for at once, from every peer that
 * confirmed them, applied strictly in order.
 *
 * <p>The gap is cut into slots of {@link DiscoveryOptions#batchSize()} blocks. Each slot's end is
 * confirmed by f+1 peers (the final one is the confirmed tip), and the slot is fetched only once
 * its own end and the end of the slot before it are confirmed: then an answer is checked whole on
 * arrival, exactly as the sequential path checks a batch ({@link BatchCheck}: consecutive numbers,
 * whole hashes, epochs), its first parent against the confirmed hash that ends the slot before (or
 * the local tip's), and its last block against its own confirmed hash and parent pair. So a slot
 * is held only when it chains from one f+1-confirmed hash to the next, and slots reach the sink in
 * order from the local tip (the whole slots waiting at the head in one call, up to
 * {@link #MAX_APPLY_BLOCKS} blocks, so the master commits them with fewer requests): the sink is
 * never handed a block that does not chain to an f+1-confirmed hash. An answer cut short (masters
 * cap answers) is checked as far as it goes and the rest is asked of the same peer, chained from
 * its last block; the slot is whole only when it reaches its confirmed end.
 *
 * <p>A bad answer fails the peer for the run, and an answer that contradicts a confirmed hash
 * ({@link Contradiction}: its first parent against the confirmed end of the slot before, its end
 * against its own) bans it; either way the slot is asked again, from its start, of the least
 * loaded other peer that confirmed its end; so does a timeout. A peer whose answer took over
 * {@link #SLOW_AFTER_NANOS} at under {@link #MIN_RECEIVE_BYTES_PER_SECOND} is dropped for the run
 * (its verified answer is kept) while another peer confirms the same slot. Whom a slot is asked
 * of, and how a master that refuses a batch for its range rate limit rests and is asked again, is
 * {@link FetchSources}. At most {@link FetchLimits#parallelFetches()} slots are confirming or
 * fetching at a time, and the slots and the blocks being applied take at most
 * {@link FetchLimits#batchesAhead()} + 1 slots' worth of blocks: memory is bounded by
 * {@code (batchesAhead + 1) × batchSize} blocks whatever peers send (an answer longer than asked
 * is refused), and by {@link FetchLimits#maxBytesAhead()} of their encoded bytes. A received block
 * is a view of its answer's frame ({@code Response.decode}, issue 15), so the frame stays in the
 * heap until every block of that answer is applied or dropped; a frame is at most twice the bytes
 * its blocks count (a padded one is decoded into copies), so the byte bound holds within that
 * factor. An answer that arrives after the window stopped waiting for it (it closed, or the run
 * stalled) is not kept but still checked for contradictions, so no lie goes unbanned for being
 * late. Every step runs under {@link CatchUpRun#step}, so the window's state is touched by one
 * thread at a time.
 */
final class FetchWindow {

  /** An answer is judged for speed only when it took longer than this (1 s). */
  static final long SLOW_AFTER_NANOS = 1_000_000_000L;
  /** The receive rate under which a slow answer drops its peer: 64 KiB/s, far below any honest link. */
  static final long MIN_RECEIVE_BYTES_PER_SECOND = 64 * 1024;

  /** The most blocks handed to the sink in one call when several slots at the head are whole. */
  static final int MAX_APPLY_BLOCKS = 4096;

  /** One batch of the gap, from its first block to its end. */
  private static final class Slot {
    final long from;
    final long to;
    HashConfirmation end; // null until confirmed
    String unconfirmed; // why its end could not be confirmed, or null
    boolean busy;
    Endpoint source;
    final List<BlockData> blocks = new ArrayList<>();
    long bytes; // encoded bytes of blocks

    Slot(long from, long to) {
      this.from = from;
      this.to = to;
    }

    boolean whole() {
      return !blocks.isEmpty() && blocks.get(blocks.size() - 1).blockNumber() == to;
    }
  }

  private final CatchUpRun run;
  private final int batchSize;
  private final int parallel;
  private final int ahead;
  private final long maxBytes;
  private final ArrayDeque<Slot> slots = new ArrayDeque<>(); // in block order: the head is applied next
  private final FetchSources peers;
  private byte[] headPrevious; // the hash of the block before the head slot; null for block 1
  private HashConfirmation headPreviousEnd; // its confirmation; null while it is the local tip's
  private long nextFrom;
  private int busy;
  private boolean applying;
  private int applyingBlocks;
  private long heldBytes; // encoded bytes in the slots and being applied
  private long expectedBytes; // what the fetches in flight are expected to bring
  private long seenBytes; // of every block that arrived in this window: its average block size
  private long seenBlocks;
  private boolean closed;

  FetchWindow(CatchUpRun run) {
    this.run = run;
    this.peers = new FetchSources(run);
    this.batchSize = run.options.batchSize();
    this.parallel = run.options.fetchLimits().parallelFetches();
    this.ahead = run.options.fetchLimits().batchesAhead();
    this.maxBytes = run.options.fetchLimits().maxBytesAhead();
    this.headPrevious = run.lastHash;
    this.nextFrom = run.local + 1;
  }

  void start() {
    pump();
  }

  private boolean closed() {
    return closed || run.ending;
  }

  /** Opens slots, starts confirmations and fetches in block order, applies the head when whole. */
  private void pump() {
    if (closed()) {
      return;
    }
    Slot head = slots.peekFirst();
    if (!applying && head != null && head.unconfirmed != null) {
      closed = true;
      run.finish(CatchUpResult.Outcome.UNCONFIRMED, "stopped at block " + Long.toUnsignedString(run.local) + ": "
          + head.unconfirmed);
      return;
    }
    boolean blocked = slots.stream().anyMatch(s -> s.unconfirmed != null);
    // Held: the slots, and the blocks being applied (counted in slots' worth, rounded up).
    int applyingSlots = (applyingBlocks + batchSize - 1) / batchSize;
    while (!blocked && slots.size() + Math.max(applying ? 1 : 0, applyingSlots) <= ahead
        && Long.compareUnsigned(nextFrom, run.target) <= 0) {
      long full = nextFrom - 1 + batchSize;
      Slot s = new Slot(nextFrom, Long.compareUnsigned(run.target, full) <= 0 ? run.target : full);
      s.end = s.to == run.tip.number ? run.tip : null;
      slots.add(s);
      nextFrom = s.to + 1;
    }
    byte[] previous = headPrevious;
    HashConfirmation previousEnd = headPreviousEnd;
    boolean previousKnown = true;
    for (Slot s : slots) {
      if (closed || busy >= parallel || s.unconfirmed != null) {
        break;
      }
      if (!s.busy && s.end == null) {
        confirm(s);
      } else if (!s.busy && previousKnown && !s.whole()) {
        if (s != slots.peekFirst() && heldBytes + expectedBytes + expected(s) > maxBytes) {
          break; // the byte bound: slots further on wait until applying frees room; the head never waits
        }
        fetch(s, previous, previousEnd);
      }
      previousKnown = s.end != null;
      previousEnd = s.end;
      previous = previousKnown ? s.end.hash : null;
    }
    if (closed) {
      return;
    }
    if (!applying && head != null && head.whole()) {
      applyHead();
    } else if (!applying && slots.isEmpty()) {
      closed = true;
      run.fetchNext(); // at the target: the run checks the network again
    }
  }

  private void confirm(Slot s) {
    s.busy = true;
    busy++;
    run.confirm(s.to, Candidates.holders(run.candidates, run.bans, s.to), c -> {
      s.busy = false;
      busy--;
      if (c.confirmed()) {
        s.end = c;
      } else {
        s.unconfirmed = c.describe();
      }
      pump();
    });
  }

  /**
   * Asks the least loaded peer that confirmed the slot's end for what the slot still lacks,
   * chained from {@code previous}, the hash of the block before the slot ({@code previousEnd} its
   * confirmation, or null for the local tip's).
   */
  private void fetch(Slot s, byte[] previous, HashConfirmation previousEnd) {
    List<Endpoint> sources = FetchSources.of(run, s.end);
    if (sources.isEmpty()) {
      closed = true;
      run.recheck(); // every peer that vouched for this slot failed it: a fresh round may offer others
      return;
    }
    Endpoint from = peers.leastLoaded(sources);
    if (from == null) {
      return; // every source is resting: the pump scheduled when the first rest began picks it up
    }
    long first = s.from + s.blocks.size();
    long expecting = expected(s);
    expectedBytes += expecting;
    byte[] chainFrom = s.blocks.isEmpty() ? previous : s.blocks.get(s.blocks.size() - 1).blockHash();
    HashConfirmation before = s.blocks.isEmpty() ? previousEnd : null; // what chainFrom is confirmed by, if anything
    s.busy = true;
    busy++;
    peers.asked(from);
    long started = System.nanoTime();
    CompletableFuture<List<BlockData>> answer;
    try {
      answer = run.discovery.client(from).blocksRange(first, s.to);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<List<BlockData>> raw = answer;
    run.patience.guard(answer).whenCompleteAsync((blocks, err) -> run.step(() -> {
      s.busy = false;
      busy--;
      expectedBytes -= expecting;
      peers.ended(from);
      boolean stalled = err != null && PeerOutcome.unwrap(err) instanceof Patience.Stalled;
      if (closed() || stalled) {
        // The window gives up waiting, not the answer: whenever it comes, it is checked.
        raw.thenAcceptAsync(lateBlocks -> run.step(() -> late(s, from, first, before, lateBlocks)), run.executor);
        if (closed()) {
          return;
        }
      }
      if (err != null) {
        Throwable cause = PeerOutcome.unwrap(err);
        if (stalled) {
          closed = true;
          run.fetchStalled(from);
          return;
        }
        drop(s);
        PeerOutcome.Kind kind = PeerOutcome.classify(cause);
        if (FetchSources.rateRefusal(kind, cause)) {
          peers.rest(from, this::pump); // an honest master over its range rate limit: ask others, and it again after a rest
        } else if (!run.failed.containsKey(from)) { // its other requests fail with it: counted once, first reason kept
          run.peerFailed(from, kind, kind.words() + ": " + cause.getMessage());
        }
      } else {
        arrived(s, from, first, chainFrom, before, blocks, System.nanoTime() - started);
      }
      pump();
    }), run.executor);
  }

  /**
   * Checks an answer for blocks {@code first..s.to} chaining from {@code chainFrom} (confirmed by
   * {@code before}, or null); keeps it, or bans its peer for contradicting a confirmed hash, or
   * fails it for a broken answer.
   */
  private void arrived(Slot s, Endpoint from, long first, byte[] chainFrom, HashConfirmation before,
      List<BlockData> blocks, long nanos) {
    if (banned(from, Contradiction.find(blocks, first, before, s.end))) {
      drop(s);
      return;
    }
    String problem = BatchCheck.verify(blocks, first, s.to, chainFrom, run.status.discovery());
    if (problem != null) {
      drop(s);
      if (run.localFork.suspects(blocks, first, s.to, chainFrom)) {
        // Held while the local tip's own hash is confirmed: the peer may be honest and the local chain forked.
        s.busy = true;
        busy++;
        run.localFork.judge(from, blocks, first, s.to, problem, () -> {
          s.busy = false;
          busy--;
          pump();
        });
      } else {
        run.batchRefused(from, first, s.to, problem);
      }
      return;
    }
    s.blocks.addAll(blocks);
    s.source = from;
    if (s.whole()) {
      int count = s.blocks.size();
      run.tell.accept(l -> l.onBatchFetched(from, count));
    }
    long bytes = 0;
    for (BlockData b : blocks) {
      bytes += b.encodedSize();
    }
    s.bytes += bytes;
    heldBytes += bytes;
    seenBytes += bytes;
    seenBlocks += blocks.size();
    if (nanos > SLOW_AFTER_NANOS && bytes * 1_000_000_000.0 / nanos < MIN_RECEIVE_BYTES_PER_SECOND
        && FetchSources.of(run, s.end).size() > 1) {
      run.peerFailed(from, PeerOutcome.Kind.TIMED_OUT, "too slow: " + bytes + " bytes in " + nanos / 1_000_000
          + " ms, under the minimum receive rate of " + MIN_RECEIVE_BYTES_PER_SECOND + " bytes/s");
    }
  }

  /**
   * An answer that arrived after the window stopped waiting for it (it closed, or the run
   * stalled): its blocks are not kept, but what it says about confirmed hashes is checked, so a
   * peer that served a forged batch is banned however late its lie arrives.
   */
  private void late(Slot s, Endpoint from, long first, HashConfirmation before, List<BlockData> blocks) {
    banned(from, Contradiction.find(blocks, first, before, s.end));
  }

  /** Bans {@code peer} with the evidence of {@code c}; false when there is none. */
  private boolean banned(Endpoint peer, Contradiction c) {
    if (c == null) {
      return false;
    }
    run.ban(peer, c.number(), c.peerHash(), c.confirmedHash(), c.what());
    run.tell.accept(l -> l.onBatchFailed(peer, PeerOutcome.Kind.PROTOCOL_ERROR));
    return true;
  }

  /** Forgets the blocks a slot holds (a bad or failed answer): it is fetched again from its start. */
  private void drop(Slot s) {
    heldBytes -= s.bytes;
    s.bytes = 0;
    s.blocks.clear();
  }

  /**
   * The bytes a fetch of what {@code s} still lacks is expected to bring: its blocks at the average
   * size seen so far, or, before any block arrived, the most one answer carries. Never more than
   * that (a master cuts its answers there).
   */
  private long expected(Slot s) {
    long blocks = s.to - s.from + 1 - s.blocks.size();
    long answerCap = AnswerLimits.MAX_RANGE_RESPONSE_BYTES;
    return seenBlocks == 0 ? answerCap : Math.min(answerCap, blocks * (seenBytes / seenBlocks + 1));
  }

  /**
   * Hands the whole slots at the head, in order, to the sink in one call (up to
   * {@link #MAX_APPLY_BLOCKS} blocks): each chains from the one before, so together they are one
   * verified batch, and the master takes them with fewer requests than one call a slot.
   */
  private void applyHead() {
    List<BlockData> blocks = new ArrayList<>();
    Slot last = null;
    long bytes = 0;
    while (!slots.isEmpty() && slots.peekFirst().whole()
        && (last == null || blocks.size() + slots.peekFirst().blocks.size() <= MAX_APPLY_BLOCKS)) {
      last = slots.pollFirst();
      blocks.addAll(last.blocks);
      bytes += last.bytes;
    }
    Slot end = last;
    long applyingBytes = bytes; // still held in heldBytes until the sink is done with them
    applying = true;
    applyingBlocks = blocks.size();
    headPrevious = end.end.hash;
    headPreviousEnd = end.end;
    run.apply(blocks, end.source, () -> {
      applying = false;
      applyingBlocks = 0;
      heldBytes -= applyingBytes;
      if (closed()) {
        return;
      }
      if (run.local != end.to) {
        closed = true; // the sink took part of the slots: start again from where it stands
        run.fetchNext();
        return;
      }
      pump();
    });
  }
}
