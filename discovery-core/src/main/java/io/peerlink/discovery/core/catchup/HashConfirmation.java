package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.ChainVerifier;
import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One question to several peers at once: "what is block N's hash?" ({@code get_blocks_range
 * N..N}). A vote is the block's {@code block_hash} and {@code parent_hash} together, so a batch
 * that must end at the confirmed block cannot reach it through a parent of the server's own; the
 * hash is confirmed when {@code required} peers return the same pair and no other pair has as
 * many votes. A peer's answer counts only when it is exactly one block, numbered N, with a 32-byte
 * hash (and, past block 1, a 32-byte parent hash). Immutable once complete.
 */
final class HashConfirmation {

  final long number;
  final int required;
  /** The confirmed hash, or null. */
  final byte[] hash;
  /** The confirmed block's parent hash, or null. */
  final byte[] parent;
  /** Peers that returned the confirmed hash, in the order asked. */
  final List<Endpoint> agreeing;
  /** Peers that returned a valid block N with another hash or parent (only when one was confirmed). */
  final Map<Endpoint, BlockData> contradicting;
  /** Every answer that did not count, or every vote when none was confirmed, in words. */
  final Map<Endpoint, String> notCounted;

  private HashConfirmation(long number, int required, BlockData block, List<Endpoint> agreeing,
      Map<Endpoint, BlockData> contradicting, Map<Endpoint, String> notCounted) {
    this.number = number;
    this.required = required;
    this.hash = block == null ? null : block.blockHash();
    this.parent = block == null ? null : block.parentHash();
    this.agreeing = List.copyOf(agreeing);
    this.contradicting = contradicting;
    this.notCounted = notCounted;
  }

  /** Whether one hash got the votes it needed. */
  boolean confirmed() {
    return hash != null;
  }

  /** Whether {@code b} is the confirmed block as far as hashes go: its hash and its parent hash. */
  boolean matches(BlockData b) {
    return hash != null && Arrays.equals(b.blockHash(), hash) && Arrays.equals(b.parentHash(), parent);
  }

  /**
   * Asks each peer for block {@code number}; completes (never exceptionally) when every peer
   * answered or failed (each call has the client's fetch timeout).
   */
  static CompletableFuture<HashConfirmation> ask(PeerDiscovery discovery, List<Endpoint> peers, long number,
      int required) {
    List<CompletableFuture<Object>> answers = new ArrayList<>(peers.size());
    for (Endpoint p : peers) {
      CompletableFuture<List<BlockData>> call;
      try {
        call = discovery.client(p).blocksRange(number, number);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      answers.add(call.handle((blocks, err) -> err != null ? PeerOutcome.unwrap(err) : vote(blocks, number)));
    }
    return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
      Map<Endpoint, BlockData> votes = new LinkedHashMap<>();
      Map<Endpoint, String> notCounted = new LinkedHashMap<>();
      for (int i = 0; i < peers.size(); i++) {
        Object a = answers.get(i).join();
        if (a instanceof BlockData) {
          votes.put(peers.get(i), (BlockData) a);
        } else if (a instanceof Throwable) {
          Throwable t = (Throwable) a;
          notCounted.put(peers.get(i), PeerOutcome.classify(t).words() + ": " + t.getMessage());
        } else {
          notCounted.put(peers.get(i), (String) a);
        }
      }
      return tally(number, required, votes, notCounted);
    });
  }

  /** The block (the vote), or why the answer does not count. */
  private static Object vote(List<BlockData> blocks, long number) {
    String n = Long.toUnsignedString(number);
    if (blocks.size() != 1) {
      return "answered " + blocks.size() + " blocks for block " + n + ".." + n;
    }
    BlockData b = blocks.get(0);
    if (b.blockNumber() != number) {
      return "answered block " + Long.toUnsignedString(b.blockNumber()) + " for block " + n;
    }
    String partial = ChainVerifier.wholeHashesProblem(b);
    return partial != null ? partial : b;
  }

  static HashConfirmation tally(long number, int required, Map<Endpoint, BlockData> votes,
      Map<Endpoint, String> notCounted) {
    BlockData winner = null;
    int winners = 0;
    for (BlockData b : votes.values()) {
      if (count(votes, b) >= required && (winner == null || !same(winner, b))) {
        winner = b;
        winners++;
      }
    }
    Map<Endpoint, String> words = new LinkedHashMap<>(notCounted);
    if (winners != 1) {
      // None reached, or two blocks each with enough votes (a fork among honest peers): confirm nothing.
      votes.forEach((p, b) -> words.put(p, "block " + Long.toUnsignedString(number) + " has hash "
          + Hashes.hex(b.blockHash()) + " (parent " + Hashes.hex(b.parentHash()) + ")"));
      return new HashConfirmation(number, required, null, List.of(), Map.of(), words);
    }
    List<Endpoint> agreeing = new ArrayList<>();
    Map<Endpoint, BlockData> contradicting = new LinkedHashMap<>();
    for (Map.Entry<Endpoint, BlockData> e : votes.entrySet()) {
      if (same(e.getValue(), winner)) {
        agreeing.add(e.getKey());
      } else {
        contradicting.put(e.getKey(), e.getValue());
      }
    }
    return new HashConfirmation(number, required, winner, agreeing, contradicting, words);
  }

  private static boolean same(BlockData a, BlockData b) {
    return Arrays.equals(a.blockHash(), b.blockHash()) && Arrays.equals(a.parentHash(), b.parentHash());
  }

  private static int count(Map<Endpoint, BlockData> votes, BlockData block) {
    int n = 0;
    for (BlockData b : votes.values()) {
      if (same(b, block)) {
        n++;
      }
    }
    return n;
  }

  /** What happened, for log lines and results. */
  String describe() {
    String n = Long.toUnsignedString(number);
    if (hash != null) {
      return "block " + n + " has hash " + Hashes.hex(hash) + ", confirmed by " + agreeing.size() + " peers "
          + agreeing + " (" + required + " needed)";
    }
    return "block " + n + " is not confirmed by " + required + " peers with one hash: " + notCounted;
  }
}
