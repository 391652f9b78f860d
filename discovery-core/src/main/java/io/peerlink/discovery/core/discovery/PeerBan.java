package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.chain.Hashes;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * Why a peer was banned: the block at which what it served contradicted a hash that f+1 peers
 * confirmed, both hashes, and for how long. Immutable; the hashes are copied.
 *
 * @param peer the banned peer
 * @param blockNumber the block whose hash it contradicted
 * @param peerHash the {@code block_hash} the peer gave for it (empty when it gave none)
 * @param confirmedHash the hash f+1 peers agreed on
 * @param what what the peer did, in words (e.g. "answered block 2000 with another hash")
 * @param duration how long the ban lasts
 */
public record PeerBan(Endpoint peer, long blockNumber, byte[] peerHash, byte[] confirmedHash, String what,
    Duration duration) {

  /** Checks for nulls and copies the hashes. */
  public PeerBan {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(duration, "duration");
    peerHash = peerHash == null ? new byte[0] : peerHash.clone();
    confirmedHash = Objects.requireNonNull(confirmedHash, "confirmedHash").clone();
  }

  @Override
  public byte[] peerHash() {
    return peerHash.clone();
  }

  @Override
  public byte[] confirmedHash() {
    return confirmedHash.clone();
  }

  /** The evidence in one line: peer, block, both hashes. */
  public String evidence() {
    return "peer master (" + peer + ") " + what + ": its block " + Long.toUnsignedString(blockNumber) + " has hash "
        + Hashes.hex(peerHash) + ", but the confirmed block " + Long.toUnsignedString(blockNumber) + " has hash "
        + Hashes.hex(confirmedHash);
  }

  @Override
  public String toString() {
    return "PeerBan{" + evidence() + ", for " + duration.toMillis() + " ms}";
  }
}
