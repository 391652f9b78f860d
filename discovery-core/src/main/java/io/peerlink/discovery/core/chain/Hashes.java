package io.peerlink.discovery.core.chain;

/** Block hashes as the protocol carries them (32 bytes, PROTOCOL.md), and as log lines show them. */
public final class Hashes {

  /** The length of {@code block_hash} and {@code parent_hash}. */
  public static final int LENGTH = 32;

  private Hashes() {
  }

  /** Whether {@code hash} is a whole block hash. */
  public static boolean whole(byte[] hash) {
    return hash != null && hash.length == LENGTH;
  }

  /** The whole hash in hex, or {@code (empty)}: evidence must be comparable by eye and by grep. */
  public static String hex(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return "(empty)";
    }
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.toString();
  }
}
