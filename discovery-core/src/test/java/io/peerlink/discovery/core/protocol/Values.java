package io.peerlink.discovery.core.protocol;

import java.util.ArrayList;
import java.util.List;
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
    return new BlockData(u64(rnd), bytes(rnd), u64(rnd), u64(rnd), bytes(rnd), bytes(rnd), bytes(rnd), bytes(rnd),
        u64(rnd), u64(rnd), bytes(rnd));
  }

  static List<BlockData> blocks(Random rnd) {
    List<BlockData> out = new ArrayList<>();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(block(rnd));
    }
    return out;
  }

  static CommittedEpochData commit(Random rnd) {
    List<CommittedBlock> blocks = new ArrayList<>();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      List<TransactionExe> txs = new ArrayList<>();
      int m = rnd.nextInt(4);
      for (int j = 0; j < m; j++) {
        txs.add(new TransactionExe(bytes(rnd), u32(rnd)));
      }
      blocks.add(new CommittedBlock(u64(rnd), u64(rnd), txs));
    }
    return new CommittedEpochData(blocks, u64(rnd), u32(rnd));
  }

  static Request request(Random rnd) {
    switch (rnd.nextInt(6)) {
      case 0:
        return new Request.GetLastBlockNumber();
      case 1:
        return new Request.GetCurrentEpoch();
      case 2:
        return new Request.GetEpochStartTimestamp();
      case 3:
        return new Request.AdvanceEpoch(u64(rnd), u64(rnd), u64(rnd));
      case 4:
        return new Request.GetBlocksRange(u64(rnd), u64(rnd));
      default:
        return new Request.SyncBlocks(blocks(rnd));
    }
  }

  static Response response(Random rnd) {
    switch (rnd.nextInt(7)) {
      case 0:
        return new Response.Error(text(rnd));
      case 1:
        return new Response.LastBlockNumber(u64(rnd));
      case 2:
        return new Response.CurrentEpoch(u64(rnd));
      case 3:
        return new Response.EpochStartTimestamp(u64(rnd));
      case 4:
        return new Response.AdvanceEpochResult(u64(rnd), u64(rnd));
      case 5:
        return new Response.BlocksRange(blocks(rnd), u64(rnd), text(rnd));
      default:
        return new Response.SyncBlocksResult(u64(rnd), u64(rnd), text(rnd));
    }
  }
}
