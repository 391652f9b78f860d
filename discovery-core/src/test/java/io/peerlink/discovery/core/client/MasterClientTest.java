package io.peerlink.discovery.core.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.RequestClient;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import io.peerlink.transport.api.testing.InMemoryTransportProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MasterClient against Responder (and against misbehaving servers) over the in-memory transport. */
class MasterClientTest {


  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private TransportRegistry registry;
  private Endpoint endpoint;
  private final List<Connection> accepted = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void setUp() {
    registry = new TransportRegistry().register(new InMemoryTransportProvider());
    endpoint = Endpoint.parse("mem://master-" + NAMES.incrementAndGet());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    registry.close();
  }

  /** Listens at {@link #endpoint} with {@code handler}, recording accepted connections. */
  Listener serve(ConnectionHandler handler) throws Exception {
    return serve(handler, ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN));
  }

  private Listener serve(ConnectionHandler handler, ListenOptions options) throws Exception {
    Listener l = registry.transportFor(endpoint).listen(endpoint, options, c -> {
      accepted.add(c);
      return handler.onConnect(c);
    });
    toClose.add(l);
    return l;
  }

  /** A server answering every request with the same bytes. */
  private Listener serveFixed(byte[] answer) throws Exception {
    return serve(c -> (conn, frame) -> conn.send(answer));
  }

  MasterClient client(Duration timeout) {
    MasterClient c = newClient(registry, endpoint, timeout);
    toClose.add(c);
    return c;
  }

  /** The client under test; {@link BlockingMasterClientTest} runs every test on the blocking one. */
  MasterClient newClient(TransportRegistry transports, Endpoint at, Duration timeout) {
    return new MasterClient(transports, at, timeout);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  /** The exception a future failed with, unwrapped. */
  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static void await(BooleanSupplier condition, String what) {
    Awaitility.await(what).atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
        .until(condition::getAsBoolean);
  }

  @Test
  void everyCallRoundTripsOnOneConnection() throws Exception {
    RecordingMasterState state = new RecordingMasterState().withBlocks(10);
    state.epoch = -1L; // 2^64-1 survives the trip
    serve(Responder.fullAccess(state));
    MasterClient client = client(TIMEOUT);

    assertEquals(-1L, get(client.currentEpoch()));
    assertEquals(10L, get(client.lastBlockNumber()));
    assertEquals(1_700_000_000_000L, get(client.epochStartTimestampMs(-1L)));
    assertEquals(new MasterStatus(-1L, 10), get(client.status()));
    assertEquals(state.chain.subList(2, 6), get(client.blocksRange(3, 6)));
    assertEquals(List.of(), get(client.blocksRange(11, 20)));
    assertEquals(new Response.AdvanceEpochResult(4, 1_800_000_000_000L),
        get(client.advanceEpoch(4, 1_800_000_000_000L, 10)));
    List<BlockData> more = List.of(RecordingMasterState.block(11), RecordingMasterState.block(12));
    assertEquals(new Response.SyncBlocksResult(2, 12, ""), get(client.syncBlocks(more)));
    assertEquals(List.of("advance_epoch 4", "sync_blocks 2"), state.mutations);
    assertEquals(more, state.chain.subList(10, 12));
    assertEquals(12L, get(client.lastBlockNumber()));

    assertEquals(1, accepted.size(), "one connection, reused");
    assertEquals(endpoint, client.endpoint());
  }

  @Test
  void statusPipelinesBothRequestsBeforeAnyAnswer() throws Exception {
    // This server answers only once it holds two requests: a client that waited for the first
    // answer before sending the second would time out.
    serve(c -> {
      List<byte[]> held = new ArrayList<>();
      return (conn, frame) -> {
        held.add(frame);
        if (held.size() == 2) {
          for (byte[] f : held) {
            Request r = Request.decode(f);
            conn.send((r instanceof Request.GetCurrentEpoch ? new Response.CurrentEpoch(7)
                : new Response.LastBlockNumber(70)).encode());
          }
          held.clear();
        }
      };
    });
    assertEquals(new MasterStatus(7, 70), get(client(Duration.ofSeconds(2)).status()));
  }

  @Test
  void anErrorResponseSurfacesWithTheServersText() throws Exception {
    RecordingMasterState state = new RecordingMasterState().withBlocks(3);
    state.failWith = new java.io.IOException("block store is being compacted");
    serve(Responder.fullAccess(state));
    MasterClient client = client(TIMEOUT);

    MasterErrorException e = assertInstanceOf(MasterErrorException.class, failure(client.blocksRange(1, 3)));
    assertEquals("block store is being compacted", e.serverMessage());
    assertEquals(endpoint, e.endpoint());
    assertTrue(e.getMessage().contains(endpoint.toString()) && e.getMessage().contains("get_blocks_range"), e.getMessage());

    state.failWith = new IllegalStateException();
    e = assertInstanceOf(MasterErrorException.class, failure(client.advanceEpoch(9, 1, 1)));
    assertEquals(IllegalStateException.class.getName(), e.serverMessage(), "no message: the class name");
    assertEquals(3L, get(client.lastBlockNumber()), "the connection still answers");
    assertEquals(1, accepted.size());
  }

  @Test
  void errorFieldsInsideRangeAndSyncAnswersFailTheCall() throws Exception {
    serve(c -> (conn, frame) -> {
      Request r = Request.decode(frame);
      conn.send((r instanceof Request.SyncBlocks ? new Response.SyncBlocksResult(1, 5, "block 6 has a bad parent")
          : new Response.BlocksRange(List.of(), 0, "range too old")).encode());
    });
    MasterClient client = client(TIMEOUT);
    MasterErrorException range = assertInstanceOf(MasterErrorException.class, failure(client.blocksRange(1, 2)));
    assertEquals("range too old", range.serverMessage());
    MasterErrorException sync = assertInstanceOf(MasterErrorException.class,
        failure(client.syncBlocks(List.of(RecordingMasterState.block(5)))));
    assertEquals("block 6 has a bad parent", sync.serverMessage());
    assertTrue(sync.getMessage().contains("synced 1, last synced block 5"), sync.getMessage());
  }

  @Test
  void aReversedRangeIsAnsweredWithAnError() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState().withBlocks(5)));
    MasterErrorException e = assertInstanceOf(MasterErrorException.class, failure(client(TIMEOUT).blocksRange(5, 2)));
    assertEquals("from_block 5 is after to_block 2", e.serverMessage());
  }

  @Test
  void readOnlyRefusesMutatingCallsAndKeepsTheConnection() throws Exception {
    RecordingMasterState state = new RecordingMasterState().withBlocks(4);
    serve(Responder.readOnly(state));
    MasterClient client = client(TIMEOUT);

    MasterErrorException advance = assertInstanceOf(MasterErrorException.class, failure(client.advanceEpoch(9, 1, 4)));
    assertEquals("advance_epoch is a mutating call, served on the local socket only", advance.serverMessage());
    MasterErrorException sync = assertInstanceOf(MasterErrorException.class,
        failure(client.syncBlocks(List.of(RecordingMasterState.block(5)))));
    assertEquals("sync_blocks is a mutating call, served on the local socket only", sync.serverMessage());

    assertEquals(new MasterStatus(3, 4), get(client.status()));
    assertEquals(state.chain, get(client.blocksRange(1, 4)), "reads are served");
    assertEquals(List.of(), state.mutations, "the state was never asked to change");
    assertEquals(1, accepted.size(), "the refusals did not close the connection");
  }

  /** A raw client, to send what MasterClient never sends. */
  private RequestClient raw() throws Exception {
    RequestClient rc = get(RequestClient.connect(registry.transportFor(endpoint), endpoint,
        ConnectOptions.of(FrameFormat.UINT32_BIG_ENDIAN)));
    toClose.add(rc);
    return rc;
  }

  private static Response call(RequestClient rc, byte[] request) throws Exception {
    return Response.decode(get(rc.call(request, TIMEOUT)));
  }

  @Test
  void anUnsupportedCallGetsAnErrorNotASilentClose() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState()));
    RequestClient rc = raw();
    Response r = call(rc, new Request.Unsupported(13).encode());
    Response.Error error = assertInstanceOf(Response.Error.class, r);
    assertTrue(error.message().startsWith("unsupported request field 13;"), error.message());
    assertEquals(new Response.CurrentEpoch(3), call(rc, new Request.GetCurrentEpoch().encode()));
    assertTrue(rc.isOpen());
  }

  @Test
  void malformedAndEmptyRequestsGetAnErrorAndTheConnectionGoesOn() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState()));
    RequestClient rc = raw();
    for (byte[] bad : List.of(new byte[] {(byte) 0xff}, new byte[] {0x32, 0x05}, new byte[0])) {
      Response.Error e = assertInstanceOf(Response.Error.class, call(rc, bad));
      assertTrue(e.message().startsWith("malformed request: "), e.message());
    }
    assertEquals(new Response.EpochStartTimestamp(1_700_000_000_000L),
        call(rc, new Request.GetEpochStartTimestamp().encode()));
    assertEquals(1, accepted.size());
  }

  @Test
  void aBrokenConnectionIsRedialledOnTheNextCall() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState().withBlocks(2)));
    MasterClient client = client(TIMEOUT);
    assertEquals(2L, get(client.lastBlockNumber()));
    assertTrue(client.isConnected());

    accepted.get(0).close(); // the master drops us
    await(() -> !client.isConnected(), "the client sees the connection close");
    assertEquals(1, accepted.size(), "nothing re-dials on its own");

    assertEquals(2L, get(client.lastBlockNumber()));
    assertEquals(2, accepted.size(), "the next call dialled again");
    assertEquals(3L, get(client.currentEpoch()));
    assertEquals(2, accepted.size());
  }

  @Test
  void aRefusedDialFailsThatCallAndTheNextCallDialsAgain() throws Exception {
    MasterClient client = client(TIMEOUT);
    TransportException refused = assertInstanceOf(TransportException.class, failure(client.currentEpoch()));
    assertEquals(TransportException.Kind.REFUSED, refused.kind());
    assertEquals(endpoint, refused.endpoint());
    assertTrue(refused.getMessage().contains(endpoint.toString()), refused.getMessage());

    serve(Responder.fullAccess(new RecordingMasterState()));
    assertEquals(3L, get(client.currentEpoch()));
  }

  @Test
  void aHungServerTimesOutAndTheNextCallRedials() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    RecordingMasterState state = new RecordingMasterState();
    serve(c -> connections.incrementAndGet() == 1 ? (conn, frame) -> { } : Responder.fullAccess(state).onConnect(c));
    MasterClient client = client(Duration.ofMillis(300));

    long start = System.nanoTime();
    TransportException e = assertInstanceOf(TransportException.class, failure(client.currentEpoch()));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(TransportException.Kind.TIMED_OUT, e.kind());
    assertTrue(e.getMessage().contains(endpoint.toString()), e.getMessage());
    assertTrue(tookMs >= 250 && tookMs < 5_000, "timed out after " + tookMs + " ms");

    assertEquals(3L, get(client.currentEpoch()), "a new connection to the now-answering master");
    assertEquals(2, connections.get());
  }

  @Test
  void aHungServerFailsBothHalvesOfStatus() throws Exception {
    serve(c -> (conn, frame) -> { });
    TransportException e = assertInstanceOf(TransportException.class, failure(client(Duration.ofMillis(200)).status()));
    assertTrue(e.kind() == TransportException.Kind.TIMED_OUT || e.kind() == TransportException.Kind.CLOSED, e.toString());
  }

  @Test
  void aZeroLengthAnswerIsAProtocolError() throws Exception {
    serveFixed(new byte[0]);
    ProtocolException e = assertInstanceOf(ProtocolException.class, failure(client(TIMEOUT).currentEpoch()));
    assertEquals(endpoint + ": zero-length answer to get_current_epoch", e.getMessage());
  }

  @Test
  void garbageIsAProtocolErrorNamingTheEndpoint() throws Exception {
    serveFixed(new byte[] {0x32, 0x05, 0x08});
    ProtocolException e = assertInstanceOf(ProtocolException.class, failure(client(TIMEOUT).lastBlockNumber()));
    assertTrue(e.getMessage().startsWith(endpoint + ": undecodable answer to get_last_block_number: "), e.getMessage());
  }

  @Test
  void anAnswerOfTheWrongTypeNamesWhatWasExpectedAndWhatCame() throws Exception {
    serveFixed(new Response.LastBlockNumber(5).encode());
    MasterClient client = client(TIMEOUT);
    ProtocolException e = assertInstanceOf(ProtocolException.class, failure(client.currentEpoch()));
    assertEquals(endpoint + ": expected get_current_epoch_response (6) in answer to get_current_epoch, "
        + "got last_block_number_response (5)", e.getMessage());
    await(() -> !client.isConnected(), "the out-of-step connection is dropped");
    assertEquals(5L, get(client.lastBlockNumber()));
    assertEquals(2, accepted.size());
  }

  @Test
  void statusAnswersOverTenMebibytesAreRefused() throws Exception {
    byte[] huge = new Response.Error("x".repeat(MasterClient.MAX_STATUS_RESPONSE_BYTES)).encode();
    serve(c -> (conn, frame) -> conn.send(huge),
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withMaxFrameLength(huge.length));
    ProtocolException e = assertInstanceOf(ProtocolException.class, failure(client(TIMEOUT).currentEpoch()));
    assertTrue(e.getMessage().contains("over the limit of " + MasterClient.MAX_STATUS_RESPONSE_BYTES), e.getMessage());
  }

  @Test
  void blockRangesAreCappedByCount() throws Exception {
    RecordingMasterState state = new RecordingMasterState().withBlocks(Responder.MAX_BLOCKS_PER_RANGE + 500);
    serve(Responder.fullAccess(state));
    List<BlockData> got = get(client(TIMEOUT).blocksRange(1, Long.MAX_VALUE));
    assertEquals(Responder.MAX_BLOCKS_PER_RANGE, got.size());
    assertEquals(state.chain.subList(0, Responder.MAX_BLOCKS_PER_RANGE), got);
  }

  @Test
  void anAnswerOverTheListenersFrameLimitClosesTheConnectionInsteadOfDesynchronisingIt() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState().withBlocks(50)),
        ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN).withMaxFrameLength(1_000));
    MasterClient client = client(TIMEOUT);
    TransportException e = assertInstanceOf(TransportException.class, failure(client.blocksRange(1, 50)));
    assertEquals(TransportException.Kind.CLOSED, e.kind());
    assertEquals(50L, get(client.lastBlockNumber()), "small answers still fit, on a new connection");
    assertEquals(2, accepted.size());
  }

  @Test
  void closingFailsLaterCallsAsClosed() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState()));
    MasterClient client = client(TIMEOUT);
    assertEquals(3L, get(client.currentEpoch()));
    client.close();
    client.close();
    TransportException e = assertInstanceOf(TransportException.class, failure(client.currentEpoch()));
    assertEquals(TransportException.Kind.CLOSED, e.kind());
    await(() -> !accepted.get(0).isOpen(), "the server sees the close");
  }

  @Test
  void anUnknownSchemeFailsTheCallAsUnsupported() throws Exception {
    MasterClient client = new MasterClient(registry, Endpoint.parse("tcp://127.0.0.1:1"), TIMEOUT);
    toClose.add(client);
    TransportException e = assertInstanceOf(TransportException.class, failure(client.currentEpoch()));
    assertEquals(TransportException.Kind.UNSUPPORTED, e.kind());
    assertFalse(client.isConnected());
  }

  @Test
  void aRequestIsTheBytesOnTheWire() throws Exception {
    CompletableFuture<byte[]> seen = new CompletableFuture<>();
    serve(c -> (conn, frame) -> {
      seen.complete(frame);
      conn.send(new Response.CurrentEpoch(5).encode());
    });
    assertEquals(5L, get(client(TIMEOUT).currentEpoch()));
    assertArrayEquals(new byte[] {0x32, 0x00}, get(seen));
  }
}
