package io.peerlink.node.master;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How this master hashes the block it makes from a commit:
 * {@code SHA-256(u32 len(parent) | parent | u64 number | u64 epoch | commit bytes)}, big-endian,
 * where the commit bytes are the CommittedEpochData's protobuf encoding. The wall-clock timestamp
 * is left out on purpose: every master that applies the same commits computes the same chain.
 */
final class BlockHashes {
  /** The parent of the first block: 32 zero bytes. */
  static final byte[] GENESIS_PARENT = new byte[32];

  private BlockHashes() {}

  static byte[] blockHash(byte[] parentHash, long number, long epoch, byte[] commitBytes) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    sha256.update(ByteBuffer.allocate(4).putInt(parentHash.length).array());
    sha256.update(parentHash);
    sha256.update(ByteBuffer.allocate(16).putLong(number).putLong(epoch).array());
    sha256.update(commitBytes);
    return sha256.digest();
  }

  /** A short hex prefix for log lines and error messages. */
  static String shortHex(byte[] hash) {
    if (hash.length == 0) {
      return "(empty)";
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(hash.length, 8); i++) {
      hex.append(String.format("%02x", hash[i]));
    }
    return hash.length > 8 ? hex + "..." : hex.toString();
  }
}
