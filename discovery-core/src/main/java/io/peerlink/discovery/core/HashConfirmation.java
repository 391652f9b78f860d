package io.peerlink.discovery.core;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One question to several peers at once: "what is the hash of block N?" ({@code get_blocks_range
 * N..N}). The hash is confirmed when {@code required} peers return a block N with the same whole
 * hash and no other hash has as many votes; a peer's answer counts only when it is exactly one
 * block, numbered N, with a 32-byte hash. Immutable once complete.
 */
final class HashConfirmation {

  final long number;
  final int required;
  /** The confirmed hash, or null. */
  final byte[] hash;
  /** Peers that returned the confirmed hash, in the order asked. */
  final List<Endpoint> agreeing;
  /** Peers that returned a valid block N with another hash (only when a hash was confirmed). */
  final Map<Endpoint, byte[]> contradicting;
  /** Every answer that did not count, or every vote when none was confirmed, in words. */
  final Map<Endpoint, String> notCounted;

  private HashConfirmation(long number, int required, byte[] hash, List<Endpoint> agreeing,
      Map<Endpoint, byte[]> contradicting, Map<Endpoint, String> notCounted) {
    this.number = number;
    this.required = required;
    this.hash = hash;
    this.agreeing = List.copyOf(agreeing);
    this.contradicting = contradicting;
    this.notCounted = notCounted;
  }

  /** Whether one hash got the votes it needed. */
  boolean confirmed() {
    return hash != null;
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
      Map<Endpoint, byte[]> votes = new LinkedHashMap<>();
      Map<Endpoint, String> notCounted = new LinkedHashMap<>();
      for (int i = 0; i < peers.size(); i++) {
        Object a = answers.get(i).join();
        if (a instanceof byte[]) {
          votes.put(peers.get(i), (byte[]) a);
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

  /** A hash (the vote), or why the answer does not count. */
  private static Object vote(List<BlockData> blocks, long number) {
    String n = Long.toUnsignedString(number);
    if (blocks.size() != 1) {
      return "answered " + blocks.size() + " blocks for block " + n + ".." + n;
    }
    BlockData b = blocks.get(0);
    if (b.blockNumber() != number) {
      return "answered block " + Long.toUnsignedString(b.blockNumber()) + " for block " + n;
    }
    if (!Hashes.whole(b.blockHash())) {
      return "block " + n + " has a block_hash of " + b.blockHash().length + " bytes; " + Hashes.LENGTH + " expected";
    }
    return b.blockHash();
  }

  static HashConfirmation tally(long number, int required, Map<Endpoint, byte[]> votes,
      Map<Endpoint, String> notCounted) {
    byte[] winner = null;
    int winners = 0;
    for (byte[] h : votes.values()) {
      if (count(votes, h) >= required && (winner == null || !Arrays.equals(winner, h))) {
        winner = h;
        winners++;
      }
    }
    Map<Endpoint, String> words = new LinkedHashMap<>(notCounted);
    if (winners != 1) {
      // None reached, or two hashes each with enough votes (a fork among honest peers): confirm nothing.
      votes.forEach((p, h) -> words.put(p, "block " + Long.toUnsignedString(number) + " has hash " + Hashes.hex(h)));
      return new HashConfirmation(number, required, null, List.of(), Map.of(), words);
    }
    List<Endpoint> agreeing = new ArrayList<>();
    Map<Endpoint, byte[]> contradicting = new LinkedHashMap<>();
    for (Map.Entry<Endpoint, byte[]> e : votes.entrySet()) {
      if (Arrays.equals(e.getValue(), winner)) {
        agreeing.add(e.getKey());
      } else {
        contradicting.put(e.getKey(), e.getValue());
      }
    }
    return new HashConfirmation(number, required, winner, agreeing, contradicting, words);
  }

  private static int count(Map<Endpoint, byte[]> votes, byte[] hash) {
    int n = 0;
    for (byte[] h : votes.values()) {
      if (Arrays.equals(h, hash)) {
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
