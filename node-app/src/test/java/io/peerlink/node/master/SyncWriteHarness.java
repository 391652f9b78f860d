package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bounded measurement of the master's sync_blocks write path alone (issue 15): it drives
 * {@link ChainState#syncBlocks} with batches of decoded blocks (as catch-up hands them over) into
 * a fresh store in a temporary directory and prints MB/s, ns/block and bytes allocated per block
 * (every thread's, the chain writer's included) and the process's CPU time per block. Not a test: run its main with the test classpath,
 * {@code SyncWriteHarness [dir]}.
 */
final class SyncWriteHarness {
  private static final long TIME_MS = 1_700_000_000_000L;

  private SyncWriteHarness() {
  }

  public static void main(String[] args) throws Exception {
    Path parent = args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir"));
    run(parent, "100KB", 100 * 1024, 80, 10, 40);
    run(parent, "small", 0, 1000, 10, 40);
  }

  private static void run(Path parent, String name, int payload, int perCall, int warmCalls, int calls)
      throws Exception {
    Path dir = Files.createTempDirectory(parent, "sync-write-");
    List<List<BlockData>> batches = batches(payload, perCall, warmCalls + calls);
    try (ChainState chain = ChainState.open(dir.resolve("chain"),
        ChainOptions.configured(ChainOptions.KEEP_ALL, Duration.ofMinutes(1)))) {
      for (int i = 0; i < warmCalls; i++) {
        chain.syncBlocks(batches.get(i));
      }
      long bytes = 0;
      for (int i = warmCalls; i < warmCalls + calls; i++) {
        for (BlockData b : batches.get(i)) {
          bytes += b.encodedSize();
        }
      }
      long allocatedBefore = allocated();
      long cpuBefore = cpu();
      long began = System.nanoTime();
      for (int i = warmCalls; i < warmCalls + calls; i++) {
        String error = chain.syncBlocks(batches.get(i)).error();
        if (!error.isEmpty()) {
          throw new IllegalStateException(error);
        }
      }
      long nanos = System.nanoTime() - began;
      long allocatedBytes = allocated() - allocatedBefore;
      long cpuNanos = cpu() - cpuBefore;
      long blocks = (long) perCall * calls;
      System.out.printf("%s: %d calls x %d blocks: %.1f MB/s, %d ns/block, %d ns CPU/block, %d bytes allocated/block%n",
          name, calls, perCall, bytes / 1e6 / (nanos / 1e9), nanos / blocks, cpuNanos / blocks, allocatedBytes / blocks);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The process's CPU time so far, every thread's (GC included): what a CPU-bound catch-up pays. */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Every thread's allocation so far (HotSpot's per-thread counters). */
  private static long allocated() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(a, 0);
    }
    return total;
  }

  /** A chain from block 1, each block decoded from its bytes as a peer's answer is. */
  private static List<List<BlockData>> batches(int payload, int perCall, int calls) throws ProtocolException {
    Random random = new Random(15);
    byte[] parent = null;
    long n = 0;
    List<List<BlockData>> batches = new ArrayList<>(calls);
    for (int c = 0; c < calls; c++) {
      List<BlockData> batch = new ArrayList<>(perCall);
      for (int i = 0; i < perCall; i++) {
        n++;
        byte[] hash = ByteBuffer.allocate(32).putLong(n).array();
        byte[] raw = new byte[payload];
        random.nextBytes(raw);
        BlockData built = new BlockData(n, hash, 0, TIME_MS, parent, null, null, null, 0, 0, null, raw, null,
            null);
        batch.add(BlockData.decode(built.encode()));
        parent = hash;
      }
      batches.add(batch);
    }
    return batches;
  }
}
