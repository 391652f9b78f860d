package io.peerlink.discovery.core.protocol;

/** Renders values for {@code toString()}: uint64 as unsigned, bytes as (shortened) hex. */
final class Text {
  private static final int MAX_HEX_BYTES = 32;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Text() {
  }

  static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  static String u64(long v) {
    return Long.toUnsignedString(v);
  }

  static String u32(int v) {
    return Integer.toUnsignedString(v);
  }

  static String hex(byte[] b) {
    int n = Math.min(b.length, MAX_HEX_BYTES);
    StringBuilder sb = new StringBuilder(2 * n + 16);
    for (int i = 0; i < n; i++) {
      sb.append(HEX[(b[i] >> 4) & 0xF]).append(HEX[b[i] & 0xF]);
    }
    if (b.length > n) {
      sb.append("...(").append(b.length).append(" bytes)");
    }
    return sb.toString();
  }
}
