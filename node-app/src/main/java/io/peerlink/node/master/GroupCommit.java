package io.peerlink.node.master;

import io.peerlink.discovery.core.protocol.Response.EpochBoundaryData;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Group commit: the chain's one write path. Writers stage changes into the open
 * {@link CommitGroup} under the chain's write lock and return at once; one writer thread takes
 * the whole open group, writes it to the {@link ChainStore} as one record with one fdatasync, and
 * only then publishes it ({@link Publisher#durable}) and completes its future. Whatever is staged
 * while that fsync runs forms the next group, so commits that arrive back to back share an fsync
 * instead of each paying for one, and a lone commit is written at once (no timer, no added
 * latency).
 *
 * <p>A group the store cannot write is retried by the store ({@link WriteStall}) while it waits;
 * meanwhile it stays invisible and unacknowledged, and staging blocks once the open group holds
 * {@link #MAX_GROUP_BYTES} (back-pressure, as the synchronous write gave). When the store gives up
 * (closed while retrying), that group and every one staged after it, which chain on it, are lost:
 * their futures fail and the chain's staged tip goes back to the durable one
 * ({@link Publisher#lost}).
 */
final class GroupCommit {
  private static final System.Logger LOG = System.getLogger(GroupCommit.class.getName());
  /**
   * A change joins the open group only while the group stays within this many block bytes (one
   * larger change makes a group of its own); far below {@link WalRecord#MAX_PAYLOAD_BYTES}.
   */
  static final long MAX_GROUP_BYTES = 4L * 1024 * 1024;

  /** What the chain does when a group is durable, or lost. Called under the write lock. */
  interface Publisher {
    /** The group is durable: make its tip and entries visible. */
    void durable(CommitGroup group);

    /** The group and those staged after it will never be written: roll the staged tip back. */
    void lost(Throwable cause);
  }

  private final ChainStore store;
  private final ReentrantLock lock;
  private final Publisher publisher;
  /** The writer waits here for a non-empty open group, or closing. */
  private final Condition work;
  /** Stagers wait here for room in the open group. */
  private final Condition room;
  private final Thread writer;
  private CommitGroup open = new CommitGroup(); // guarded by lock
  private CommitGroup inFlight; // guarded by lock: the group being written
  private boolean closing; // guarded by lock
  private volatile IntConsumer groupSizes = blocks -> { };

  GroupCommit(ChainStore store, ReentrantLock lock, Publisher publisher, String name) {
    this.store = store;
    this.lock = lock;
    this.publisher = publisher;
    this.work = lock.newCondition();
    this.room = lock.newCondition();
    this.writer = new Thread(this::run, "peerlink-chain-writer-" + name);
    writer.setDaemon(true); // close() drains and joins it; a daemon never keeps a dying JVM up
    writer.start();
  }

  /** Sets what is told the number of blocks of each group written (metrics: blocks per fsync). */
  void onGroupWritten(IntConsumer blocks) {
    groupSizes = java.util.Objects.requireNonNull(blocks, "blocks");
  }

  /**
   * Waits, holding the lock (released while waiting), until a change of about {@code bytes} fits
   * the open group.
   *
   * @throws IOException when the chain is closing; nothing was staged
   */
  void awaitRoom(long bytes) throws IOException {
    while (!closing && !fits(bytes)) {
      try {
        room.await(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the chain log to take a change; nothing staged");
      }
    }
    if (closing) {
      throw new IOException("the chain log is closing; the change was not applied");
    }
  }

  /** Whether a change of {@code bytes} joins the open group now. Holds the lock. */
  boolean fits(long bytes) {
    return open.isEmpty() || open.bytes() + bytes <= MAX_GROUP_BYTES;
  }

  /**
   * Stages a change into the open group. Holds the lock.
   *
   * @return the group it joined: its {@link CommitGroup#durable} completes once it is on disk
   * @throws IllegalArgumentException when the change alone is too large for one record
   */
  CommitGroup stage(List<StoredBlock> blocks, List<EpochBoundaryData> entries, ChainHead tip) {
    long size = WalRecord.payloadSize(blocks);
    if (size > WalRecord.MAX_PAYLOAD_BYTES - MAX_GROUP_BYTES) {
      throw new IllegalArgumentException("a write of " + blocks.size() + " blocks is " + size
          + " bytes; one write holds at most " + (WalRecord.MAX_PAYLOAD_BYTES - MAX_GROUP_BYTES)
          + " bytes: send fewer blocks at once");
    }
    open.add(blocks, entries, tip);
    work.signal();
    return open;
  }

  /** A staged block not yet durable, or null when it is not staged. Holds the lock. */
  StoredBlock stagedBlock(long number) {
    StoredBlock found = inFlight != null ? inFlight.block(number) : null;
    return found != null ? found : open.block(number);
  }

  /** The epoch entries staged and not yet durable, in the order staged. Holds the lock. */
  List<EpochBoundaryData> stagedEntries() {
    List<EpochBoundaryData> staged = new ArrayList<>(inFlight != null ? inFlight.entries() : List.of());
    staged.addAll(open.entries());
    return staged;
  }

  /**
   * Completes once everything staged so far is durable (at once when nothing waits); fails when
   * it never will be (groups are written in order, and a lost one loses those after it). Holds
   * the lock.
   */
  CompletableFuture<Void> stagedDurable() {
    if (!open.isEmpty()) {
      return open.durable();
    }
    return inFlight != null ? inFlight.durable() : CompletableFuture.completedFuture(null);
  }

  private void run() {
    while (true) {
      CommitGroup group;
      lock.lock();
      try {
        while (open.isEmpty() && !closing) {
          work.awaitUninterruptibly();
        }
        if (open.isEmpty()) {
          return; // closing, and every staged change is written
        }
        group = open;
        open = new CommitGroup();
        inFlight = group;
        room.signalAll();
      } finally {
        lock.unlock();
      }
      Throwable failure = null;
      boolean written = false;
      try {
        written = write(group);
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
      List<CommitGroup> lost = new ArrayList<>(2);
      lock.lock();
      try {
        inFlight = null;
        if (failure == null) {
          publisher.durable(group);
        } else {
          lost.add(group);
          if (!open.isEmpty()) {
            lost.add(open); // it chains on the lost group: it can never be written
            open = new CommitGroup();
          }
          publisher.lost(failure);
        }
        room.signalAll();
      } finally {
        lock.unlock();
      }
      if (failure == null) {
        if (written) {
          groupSizes.accept(group.blocks().size());
        }
        group.durable().complete(null);
      } else {
        Throwable cause = failure;
        LOG.log(System.Logger.Level.ERROR, "chain log: a group of " + group.changes() + " change(s) ("
            + group.blocks().size() + " block(s)) was not written and is not applied: " + cause.getMessage());
        lost.forEach(g -> g.durable().completeExceptionally(cause));
      }
    }
  }

  /** Writes a group as one record with one fdatasync; false when it changes nothing on disk. */
  private boolean write(CommitGroup group) throws IOException {
    List<byte[]> encoded = new ArrayList<>(group.entries().size());
    group.entries().forEach(e -> encoded.add(e.encodeMessage()));
    if (group.blocks().isEmpty() && encoded.isEmpty() && group.mark().equals(store.mark())) {
      return false;
    }
    store.append(group.mark(), group.blocks(), encoded);
    return true;
  }

  /**
   * Writes what is staged, then stops the writer; a change staged afterwards is refused. Call
   * without holding the lock (the writer needs it), after the store stopped retrying when the
   * disk is stuck.
   */
  void close() throws InterruptedIOException {
    lock.lock();
    try {
      closing = true;
      work.signalAll();
      room.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the chain writer drained");
    }
  }
}
