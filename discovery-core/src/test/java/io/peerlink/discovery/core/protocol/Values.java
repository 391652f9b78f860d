package io.peerlink.discovery.core.protocol;

import java.util.Random;

/** Random field values biased to the edges: 0, 2^64-1, varint length boundaries, empty bytes. */
final class Values {

  private Values() {
  }

  static long u64(Random rnd) {
    switch (rnd.nextInt(8)) {
      case 0:
        return 0;
      case 1:
        return -1L; // 2^64-1
      case 2: {
        int bit = rnd.nextInt(64);
        return (1L << bit) + (rnd.nextInt(3) - 1); // around each varint length step
      }
      case 3:
        return Long.MIN_VALUE;
      case 4:
        return rnd.nextInt(300);
      default:
        return rnd.nextLong();
    }
  }

  static int u32(Random rnd) {
    switch (rnd.nextInt(6)) {
      case 0:
        return 0;
      case 1:
        return -1; // 2^32-1
      case 2:
        return Integer.MIN_VALUE;
      case 3:
        return rnd.nextInt(300);
      default:
        return rnd.nextInt();
    }
  }

  static byte[] bytes(Random rnd) {
    int n;
    switch (rnd.nextInt(4)) {
      case 0:
        n = 0;
        break;
      case 1:
        n = 32;
        break;
      case 2:
        n = 1 + rnd.nextInt(3);
        break;
      default:
        n = rnd.nextInt(200);
    }
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** Valid Unicode (no lone surrogates): ASCII, 2-, 3- and 4-byte UTF-8 sequences. */
  static String text(Random rnd) {
    if (rnd.nextInt(3) == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    int n = 1 + rnd.nextInt(40);
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(4)) {
        case 0:
          sb.append((char) ('a' + rnd.nextInt(26)));
          break;
        case 1:
          sb.append((char) (0x80 + rnd.nextInt(0x780)));
          break;
        case 2:
          sb.append((char) (0x800 + rnd.nextInt(0xD000 - 0x800)));
          break;
        default:
          sb.appendCodePoint(0x10000 + rnd.nextInt(0x100000));
      }
    }
    return sb.toString();
  }

  static BlockData block(Random rnd) {
    return ProtoSchema.blockData(ProtoSchema.random(ProtoSchema.BLOCK_DATA, rnd));
  }

  static CommittedEpochData commit(Random rnd) {
    return ProtoSchema.committedEpochData(ProtoSchema.random(ProtoSchema.COMMITTED_EPOCH_DATA, rnd));
  }

  static Request request(Random rnd) {
    return ProtoSchema.request(ProtoSchema.random(ProtoSchema.REQUEST, rnd));
  }

  static Response response(Random rnd) {
    return ProtoSchema.response(ProtoSchema.random(ProtoSchema.RESPONSE, rnd));
  }
}
