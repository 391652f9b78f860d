package io.peerlink.it.bench;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.UnknownFields;
import io.peerlink.node.blocks.CommitSender;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The chain the catch-up benchmark's peers serve: blocks 1..N of epoch 1, each with a 32-byte
 * hash derived from its number, its parent's hash, a consensus time 1 s after its parent's (all in
 * the past, so the epoch's start passes the master's clock check) and {@code raw_block_bytes} of
 * the given size (none for small blocks). The same numbers give the same chain on every master,
 * so three peers fed alike agree on every hash. Fed through {@code sync_blocks}, which checks the
 * links as catch-up would, in requests under the master's 8 MiB frame limit.
 */
final class SyncChain {
  static final long EPOCH = 1;
  private static final int REQUEST_BYTES = 4 << 20;
  private static final int MAX_REQUEST_BLOCKS = 1_000;

  private final int rawBytes;
  private final byte[] raw;

  SyncChain(int rawBytes) {
    this.rawBytes = rawBytes;
    this.raw = new byte[rawBytes];
    new Random(rawBytes).nextBytes(raw); // not compressible, one array shared by every block
  }

  /** Block {@code n} of the chain. */
  BlockData block(long n) {
    return new BlockData(n, hash(n), EPOCH, CommitSender.SYNTHETIC_TIME_MS + 1000 * n, hash(n - 1), null, null, null,
        0, 0, null, raw, null, UnknownFields.EMPTY);
  }

  /** Encoded bytes of one block, as a peer sends it. */
  int encodedBytes() {
    return block(1).encode().length;
  }

  /** Hands blocks {@code from..to} to the master in {@code sync_blocks} requests, each taken before the next. */
  void feed(MasterClient master, long from, long to, Duration deadline) throws Exception {
    int perRequest = (int) Math.max(1, Math.min(MAX_REQUEST_BLOCKS, REQUEST_BYTES / Math.max(1, encodedBytes())));
    long end = System.nanoTime() + deadline.toNanos();
    for (long n = from; n <= to; ) {
      List<BlockData> request = new ArrayList<>(perRequest);
      for (int i = 0; i < perRequest && n <= to; i++, n++) {
        request.add(block(n));
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("feeding " + master.endpoint() + " blocks " + from + ".." + to
            + " took more than " + deadline + " (at block " + n + ")");
      }
      master.syncBlocks(request).get(left, TimeUnit.NANOSECONDS);
    }
  }

  int rawBytes() {
    return rawBytes;
  }

  private static byte[] hash(long n) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("peerlink sync benchmark block".getBytes(StandardCharsets.UTF_8));
      return sha.digest(ByteBuffer.allocate(8).putLong(n).array());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
