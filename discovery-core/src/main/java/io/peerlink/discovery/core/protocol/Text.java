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
    return hex(b, 0, b.length);
  }

  static String hex(byte[] b, int offset, int length) {
    int n = Math.min(length, MAX_HEX_BYTES);
    StringBuilder sb = new StringBuilder(2 * n + 16);
    for (int i = offset; i < offset + n; i++) {
      sb.append(HEX[(b[i] >> 4) & 0xF]).append(HEX[b[i] & 0xF]);
    }
    if (length > n) {
      sb.append("...(").append(length).append(" bytes)");
    }
    return sb.toString();
  }
}
