package io.peerlink.node.blocks;

import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.TransactionExe;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Feeds commits to a master's block channel ({@code executor_send_socket_path}), as the seed's
 * node does: one {@link CommittedEpochData} per frame, varint-framed. The channel is one-way: a
 * sent commit is not acknowledged; ask the master's status to see it applied.
 */
public final class CommitSender implements AutoCloseable {

  private final Connection connection;

  private CommitSender(Connection connection) {
    this.connection = connection;
  }

  /**
   * Connects to a block channel.
   *
   * @throws TransportException naming the endpoint when it cannot be reached in time
   */
  public static CommitSender connect(TransportRegistry transports, Endpoint endpoint, Duration timeout)
      throws TransportException, InterruptedException {
    ConnectOptions options = ConnectOptions.of(FrameFormat.UVARINT).withConnectTimeout(timeout);
    CompletableFuture<Connection> connecting = transports.transportFor(endpoint)
        .connect(endpoint, options, (c, frame) -> {
          throw new TransportException(endpoint, TransportException.Kind.BAD_FRAME,
              "the block channel is one-way, yet the master sent a frame of " + frame.length + " bytes");
        });
    return new CommitSender(await(endpoint, connecting, timeout.plusSeconds(1)));
  }

  /** The master's endpoint. */
  public Endpoint endpoint() {
    return connection.remote();
  }

  /**
   * Sends commits, in order, and waits until they are written.
   *
   * @throws TransportException naming the endpoint when a write fails
   */
  public void send(List<CommittedEpochData> commits, Duration timeout) throws TransportException, InterruptedException {
    List<CompletableFuture<Void>> writes = new ArrayList<>(commits.size());
    for (CommittedEpochData commit : commits) {
      writes.add(connection.send(commit.encode()));
    }
    await(connection.remote(), CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)), timeout);
  }

  /** The consensus time of synthetic commit 0 (2023-11-14T22:13:20Z). */
  public static final long SYNTHETIC_TIME_MS = 1_700_000_000_000L;

  /**
   * The commits {@code send-blocks} and the demo feed: global_exec_index {@code from..to}, each one
   * block of the given epoch with one transaction whose digest is derived from the index, the
   * epoch in field 4 and a consensus time derived from the index ({@link #SYNTHETIC_TIME_MS} +
   * 1 s per index), so every run, on every master, produces the same chain.
   */
  public static List<CommittedEpochData> syntheticCommits(long epoch, long from, long to) {
    if (Long.compareUnsigned(from, to) > 0) {
      throw new IllegalArgumentException("from " + Long.toUnsignedString(from) + " is after to "
          + Long.toUnsignedString(to));
    }
    List<CommittedEpochData> out = new ArrayList<>();
    for (long i = from; ; i++) {
      TransactionExe tx = new TransactionExe(digest(epoch, i), 0);
      CommittedBlock block = new CommittedBlock(epoch, i, List.of(tx));
      out.add(new CommittedEpochData(List.of(block), i, (int) i, epoch, SYNTHETIC_TIME_MS + 1000 * i));
      if (i == to) {
        return out;
      }
    }
  }

  private static byte[] digest(long epoch, long index) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("peerlink synthetic commit".getBytes(StandardCharsets.UTF_8));
      sha.update(ByteBuffer.allocate(16).putLong(epoch).putLong(index).array());
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static <T> T await(Endpoint endpoint, CompletableFuture<T> future, Duration timeout)
      throws TransportException, InterruptedException {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TransportException) {
        throw (TransportException) cause;
      }
      throw new TransportException(endpoint, TransportException.Kind.IO, String.valueOf(cause.getMessage()), cause);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new TransportException(endpoint, TransportException.Kind.TIMED_OUT,
          "not done within " + timeout.toMillis() + " ms");
    }
  }

  /** Closes the connection. */
  @Override
  public void close() {
    connection.close();
  }
}
