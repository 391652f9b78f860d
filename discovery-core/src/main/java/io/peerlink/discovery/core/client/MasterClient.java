package io.peerlink.discovery.core.client;

import io.peerlink.discovery.core.protocol.AnswerLimits;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response.AdvanceEpochResult;
import io.peerlink.discovery.core.protocol.Response.SyncBlocksResult;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.TlsOptions;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * A typed client for one master at any endpoint, over the query channel (4-byte big-endian
 * framing).
 *
 * <p>One connection, dialled on the first call and reused by the next ones. When it breaks (closed
 * by the master, a request timed out, ...), the call in flight fails and the next call dials
 * again; nothing is retried in a loop. Calls may be issued from any thread and are pipelined on the
 * connection.
 *
 * <p>Limits, as the seed's: an answer to {@link #blocksRange} may be up to
 * {@link #MAX_BLOCKS_RESPONSE_BYTES} (the connection's frame limit: a longer frame is refused by
 * the transport before it is read, as {@link TransportException.Kind#BAD_FRAME}, and the
 * connection is dropped); an answer to any other call over {@link #MAX_STATUS_RESPONSE_BYTES} is a
 * {@link ProtocolException}. Timeouts: see the constructors; a call that times out drops the
 * connection, since its late answer would be taken for the next call's.
 *
 * <p>Futures fail with the exception itself (not wrapped), and every exception names the
 * endpoint:
 * <ul>
 *   <li>{@link TransportException}: refused, timed out ({@link TransportException.Kind#TIMED_OUT}),
 *       closed, oversized frame, no transport for the scheme;</li>
 *   <li>{@link ProtocolException}: a zero-length, undecodable or oversized answer, or an answer of
 *       the wrong type (named with the expected one);</li>
 *   <li>{@link MasterErrorException}: an {@code error} answer, or an answer whose own
 *       {@code error} field is set; {@link MasterErrorException#serverMessage()} is the text.</li>
 * </ul>
 * Futures complete on the connection's I/O thread: keep dependent actions short. A caller that
 * wants each answer before the next call waits on the future (the {@code status} command does).
 */
public final class MasterClient implements AutoCloseable {

  /** The seed's limit on answers to status calls: 10 MiB. */
  public static final int MAX_STATUS_RESPONSE_BYTES = AnswerLimits.MAX_STATUS_RESPONSE_BYTES;

  /** The seed's limit on answers to block-range calls: 100 MiB. Also the connection's frame limit. */
  public static final int MAX_BLOCKS_RESPONSE_BYTES = AnswerLimits.MAX_BLOCKS_RESPONSE_BYTES;

  /** The seed's status-read timeout: 5 s. */
  public static final Duration DEFAULT_STATUS_TIMEOUT = Duration.ofSeconds(5);

  /** The seed's timeout for the other calls: 10 s. */
  public static final Duration DEFAULT_BULK_TIMEOUT = Duration.ofSeconds(10);

  private static final System.Logger LOG = System.getLogger(MasterClient.class.getName());

  private final TransportRegistry transports;
  private final Endpoint endpoint;
  private final Duration statusTimeout;
  private final Duration bulkTimeout;
  private final ConnectOptions options;

  private final Object lock = new Object();
  private CompletableFuture<RequestClient> connection; // guarded by lock
  private boolean everConnected; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * A client with the seed's timeouts: 5 s for status calls and for connecting, 10 s for the
   * others.
   */
  public MasterClient(TransportRegistry transports, Endpoint endpoint) {
    this(transports, endpoint, DEFAULT_STATUS_TIMEOUT, DEFAULT_BULK_TIMEOUT, null);
  }

  /**
   * A client whose every call, and every connect, times out after {@code requestTimeout}.
   *
   * @throws io.peerlink.transport.api.InvalidEndpointException when the endpoint cannot be
   *     connected to (a TCP port of 0)
   */
  public MasterClient(TransportRegistry transports, Endpoint endpoint, Duration requestTimeout) {
    this(transports, endpoint, requestTimeout, requestTimeout, null);
  }

  /**
   * As {@link #MasterClient(TransportRegistry, Endpoint, Duration)}, with TLS settings for an
   * endpoint of a TLS scheme ({@code tls://host:port}); transports without TLS ignore them.
   *
   * @param tls this side's certificate, key and trusted CAs, or null for none
   */
  public MasterClient(TransportRegistry transports, Endpoint endpoint, Duration requestTimeout, TlsOptions tls) {
    this(transports, endpoint, requestTimeout, requestTimeout, tls);
  }

  private MasterClient(TransportRegistry transports, Endpoint endpoint, Duration statusTimeout, Duration bulkTimeout,
      TlsOptions tls) {
    this.transports = Objects.requireNonNull(transports, "transports");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint").requireConnectable();
    this.statusTimeout = positive(statusTimeout, "requestTimeout");
    this.bulkTimeout = positive(bulkTimeout, "requestTimeout");
    this.options = ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withMaxFrameLength(MAX_BLOCKS_RESPONSE_BYTES)
        .withConnectTimeout(statusTimeout).withTls(tls);
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  /** The master this client talks to. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The master's current epoch. */
  public CompletableFuture<Long> currentEpoch() {
    return call(new Request.GetCurrentEpoch(), statusTimeout, MAX_STATUS_RESPONSE_BYTES,
        r -> ((Response.CurrentEpoch) r).epoch());
  }

  /** The master's last executed block. */
  public CompletableFuture<Long> lastBlockNumber() {
    return call(new Request.GetLastBlockNumber(), statusTimeout, MAX_STATUS_RESPONSE_BYTES,
        r -> ((Response.LastBlockNumber) r).lastBlockNumber());
  }

  /**
   * The start of {@code epoch}, ms since the Unix epoch. The request always names the epoch: a G2+
   * master answers for it (or with an error when it does not know it); a G1 master answers for
   * its current epoch, which is right while both agree on it. An empty request would read as
   * epoch 0 to a G2+ master, which would answer the genesis time.
   */
  public CompletableFuture<Long> epochStartTimestampMs(long epoch) {
    return call(new Request.GetEpochStartTimestamp(epoch), statusTimeout, MAX_STATUS_RESPONSE_BYTES,
        r -> ((Response.EpochStartTimestamp) r).timestampMs());
  }

  /**
   * Epoch and last block, as two requests pipelined on one connection: one round trip. Fails with
   * the first failure of the two.
   */
  public CompletableFuture<MasterStatus> status() {
    Request epochRequest = new Request.GetCurrentEpoch();
    Request blockRequest = new Request.GetLastBlockNumber();
    byte[] epochBytes = epochRequest.encode();
    byte[] blockBytes = blockRequest.encode();
    return exchange(client -> {
      CompletableFuture<byte[]> epoch = client.call(epochBytes, statusTimeout);
      CompletableFuture<byte[]> block = client.call(blockBytes, statusTimeout);
      return status(client, epochRequest, epoch, blockRequest, block);
    });
  }

  /** The two answers of {@link #status()} as one: fails with the first failure of the two. */
  private CompletableFuture<MasterStatus> status(RequestClient client, Request epochRequest,
      CompletableFuture<byte[]> epochAnswer, Request blockRequest, CompletableFuture<byte[]> blockAnswer) {
    CompletableFuture<Long> epoch = typed(epochAnswer, client, epochRequest, MAX_STATUS_RESPONSE_BYTES,
        r -> ((Response.CurrentEpoch) r).epoch());
    CompletableFuture<Long> block = typed(blockAnswer, client, blockRequest, MAX_STATUS_RESPONSE_BYTES,
        r -> ((Response.LastBlockNumber) r).lastBlockNumber());
    CompletableFuture<MasterStatus> result = new CompletableFuture<>();
    epoch.whenComplete((e, epochError) -> block.whenComplete((b, blockError) -> {
      if (epochError != null) {
        result.completeExceptionally(epochError);
      } else if (blockError != null) {
        result.completeExceptionally(blockError);
      } else {
        result.complete(new MasterStatus(e, b));
      }
    }));
    return result;
  }

  /**
   * Blocks {@code fromBlock..toBlock}, inclusive, in the master's order. The master may answer
   * with fewer than asked (it caps each answer); ask again from the next block.
   */
  public CompletableFuture<List<BlockData>> blocksRange(long fromBlock, long toBlock) {
    return call(new Request.GetBlocksRange(fromBlock, toBlock), bulkTimeout, MAX_BLOCKS_RESPONSE_BYTES, r -> {
      Response.BlocksRange range = (Response.BlocksRange) r;
      if (!range.error().isEmpty()) {
        throw new MasterErrorException(endpoint, "get_blocks_range", range.error());
      }
      return range.blocks();
    });
  }

  /** Moves the master to a new epoch (a mutating call: local masters only). */
  public CompletableFuture<AdvanceEpochResult> advanceEpoch(long newEpoch, long epochStartTimestampMs,
      long boundaryBlock) {
    return call(new Request.AdvanceEpoch(newEpoch, epochStartTimestampMs, boundaryBlock), bulkTimeout,
        MAX_STATUS_RESPONSE_BYTES, r -> (AdvanceEpochResult) r);
  }

  /**
   * Hands blocks to the master (a mutating call: local masters only). An answer whose
   * {@code error} field is set fails with {@link MasterErrorException}; its message carries the
   * counts the master reported.
   */
  public CompletableFuture<SyncBlocksResult> syncBlocks(List<BlockData> blocks) {
    return call(new Request.SyncBlocks(blocks), bulkTimeout, MAX_STATUS_RESPONSE_BYTES, r -> {
      SyncBlocksResult result = (SyncBlocksResult) r;
      if (!result.error().isEmpty()) {
        throw new MasterErrorException(endpoint, "sync_blocks (synced " + Long.toUnsignedString(result.syncedCount())
            + ", last synced block " + Long.toUnsignedString(result.lastSyncedBlock()) + ")", result.error());
      }
      return result;
    });
  }

  /** Whether a connection to the master is open now (connected, whatever it answered). */
  public boolean hasOpenConnection() {
    synchronized (lock) {
      CompletableFuture<RequestClient> c = connection;
      return c != null && c.isDone() && !c.isCompletedExceptionally() && c.join().isOpen();
    }
  }

  /** Closes the connection; calls in flight fail with {@link TransportException.Kind#CLOSED}. Idempotent. */
  @Override
  public void close() {
    CompletableFuture<RequestClient> c;
    synchronized (lock) {
      closed = true;
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.thenAccept(RequestClient::close);
    }
  }

  /** Whether a connection is open now; for tests. */
  boolean isConnected() {
    synchronized (lock) {
      CompletableFuture<RequestClient> c = connection;
      return c != null && c.isDone() && !c.isCompletedExceptionally() && c.join().isOpen();
    }
  }

  @Override
  public String toString() {
    return "MasterClient[" + endpoint + "]";
  }

  // ---- internals

  @FunctionalInterface
  private interface Mapper<T> {
    T map(Response response) throws Exception;
  }

  private <T> CompletableFuture<T> call(Request request, Duration timeout, int maxResponse, Mapper<T> mapper) {
    byte[] bytes = request.encode();
    return exchange(client -> {
      CompletableFuture<byte[]> answer = client.call(bytes, timeout);
      return typed(answer, client, request, maxResponse, mapper);
    });
  }

  /** Sends requests on the connection (dialled when there is none) and gives their result. */
  private <T> CompletableFuture<T> exchange(Function<RequestClient, CompletableFuture<T>> send) {
    CompletableFuture<T> result = new CompletableFuture<>();
    connection().whenComplete((client, connectError) -> {
      if (connectError != null) {
        result.completeExceptionally(transportError(connectError));
        return;
      }
      send.apply(client).whenComplete((v, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      });
    });
    return result;
  }

  /** The open connection, or a new one when there is none or it broke. Never retries by itself. */
  private CompletableFuture<RequestClient> connection() {
    Transport transport;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new TransportException(endpoint, TransportException.Kind.CLOSED, "the master client is closed"));
      }
      CompletableFuture<RequestClient> c = connection;
      if (c != null) {
        if (!c.isDone()) {
          return c; // a dial in progress: share it
        }
        if (!c.isCompletedExceptionally()) {
          RequestClient client = c.join();
          if (client.isOpen()) {
            return c;
          }
          client.close();
        }
      }
      if (everConnected) {
        LOG.log(Level.DEBUG, "re-dialling master " + endpoint + ": the previous connection is gone");
      }
      everConnected = true;
      try {
        transport = transports.transportFor(endpoint);
      } catch (TransportException e) {
        connection = null;
        return CompletableFuture.failedFuture(e);
      } catch (RuntimeException e) {
        // A provider whose create() failed: report it as the transport failure it is.
        connection = null;
        return CompletableFuture.failedFuture(new TransportException(endpoint, TransportException.Kind.UNSUPPORTED,
            "cannot create a transport: " + e.getMessage(), e));
      }
      connection = RequestClient.connect(transport, endpoint, options);
      return connection;
    }
  }

  /** Turns a raw answer into the typed value, or into the exception the class comment lists. */
  private <T> CompletableFuture<T> typed(CompletableFuture<byte[]> answer, RequestClient client, Request request,
      int maxResponse, Mapper<T> mapper) {
    CompletableFuture<T> result = new CompletableFuture<>();
    answer.whenComplete((frame, err) -> {
      if (err != null) {
        result.completeExceptionally(transportError(err));
        return;
      }
      try {
        result.complete(mapper.map(interpret(frame, client, request, maxResponse)));
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private Response interpret(byte[] frame, RequestClient client, Request request, int maxResponse)
      throws ProtocolException, MasterErrorException {
    String call = request.callName();
    if (frame.length == 0) {
      throw new ProtocolException(endpoint + ": zero-length answer to " + call);
    }
    if (frame.length > maxResponse) {
      throw new ProtocolException(endpoint + ": answer to " + call + " is " + frame.length
          + " bytes, over the limit of " + maxResponse + " for this call");
    }
    Response response;
    try {
      // The frame is ours (the transport hands each answer's array over): a range answer's blocks
      // view it rather than copy it.
      response = Response.decode(frame);
    } catch (ProtocolException e) {
      throw new ProtocolException(endpoint + ": undecodable answer to " + call + ": " + e.getMessage(), e);
    }
    if (response instanceof Response.Error) {
      throw new MasterErrorException(endpoint, call, ((Response.Error) response).message());
    }
    if (response.fieldNumber() != request.fieldNumber()) {
      // The master is out of step or speaks another protocol: later answers cannot be trusted either.
      client.close();
      throw new ProtocolException(endpoint + ": expected " + expectedResponse(request) + " (" + request.fieldNumber()
          + ") in answer to " + call + ", got " + response.fieldName() + " (" + response.fieldNumber() + ")");
    }
    return response;
  }

  private static String expectedResponse(Request request) {
    switch (request.fieldNumber()) {
      case 5:
        return "last_block_number_response";
      case 6:
        return "get_current_epoch_response";
      case 7:
        return "get_epoch_start_timestamp_response";
      case 8:
        return "advance_epoch_response";
      case 21:
        return "get_blocks_range_response";
      case 22:
        return "sync_blocks_response";
      default:
        return "field " + request.fieldNumber();
    }
  }

  private TransportException transportError(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TransportException) {
      return (TransportException) t;
    }
    return new TransportException(endpoint, TransportException.Kind.IO, String.valueOf(t.getMessage()), t);
  }
}
