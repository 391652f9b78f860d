package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.chain.Hashes;
import java.util.Arrays;

/**
 * The block an operator trusts an empty master to start its chain at, when the peers no longer
 * hold block 1 (config {@code catch_up.trusted_checkpoint}). Catch-up takes block {@code block}
 * from peers only when its hash is this one; a chain whose block there has another hash is
 * refused and nothing is stored. Immutable.
 */
public final class TrustedCheckpoint {
  private final long block;
  private final byte[] hash;

  /**
   * @param block the block number, at least 1
   * @param hash the block's 32-byte hash (copied)
   * @throws IllegalArgumentException naming the value when either is out of range
   */
  public TrustedCheckpoint(long block, byte[] hash) {
    if (block < 1) {
      throw new IllegalArgumentException("checkpoint block " + Long.toUnsignedString(block) + ": expected at least 1");
    }
    if (hash == null || hash.length != Hashes.LENGTH) {
      throw new IllegalArgumentException("checkpoint hash of " + (hash == null ? 0 : hash.length) + " bytes: expected "
          + Hashes.LENGTH);
    }
    this.block = block;
    this.hash = hash.clone();
  }

  /** The block number. */
  public long block() {
    return block;
  }

  /** The block's hash (a copy). */
  public byte[] hash() {
    return hash.clone();
  }

  /** Whether {@code other} is this hash. */
  boolean matches(byte[] other) {
    return Arrays.equals(hash, other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustedCheckpoint t && t.block == block && Arrays.equals(t.hash, hash);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(block) * 31 + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "block " + Long.toUnsignedString(block) + " hash " + Hashes.hex(hash);
  }
}
