package io.peerlink.discovery.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.EncodedBlocks;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import io.peerlink.transport.api.ConnectOptions;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.OutgoingFrame;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.ListenerCounters;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A range answer's frame owns what the master's blocks handed it (open files, in node-app): it is
 * closed exactly once on every path, by the connection once sent, by the responder when the
 * answer fails while being laid out, or when its connection closed before it could go out.
 */
class AnswerFramesTest {

  /** Blocks this large are handed to the frame with addTo; smaller ones are read into the answer's array. */
  private static final int LARGE_RAW = 20_000;

  /** What a block hands the frame to close, counting the closes. */
  private static final class Handed implements AutoCloseable {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  /** Blocks that each hand the frame something to close, failing at block {@code failAt}; waits that never end. */
  private static final class HandingState extends RecordingMasterState {
    final List<Handed> handed = new CopyOnWriteArrayList<>();
    final CompletableFuture<Long> held = new CompletableFuture<>();
    volatile int failAt = -1;

    @Override
    public EncodedBlocks encodedBlocks(long fromBlock, long toBlock) throws Exception {
      EncodedBlocks inner = super.encodedBlocks(fromBlock, toBlock);
      return new EncodedBlocks() {
        @Override
        public int count() {
          return inner.count();
        }

        @Override
        public int length(int index) throws IOException {
          return inner.length(index);
        }

        @Override
        public void read(int index, byte[] target, int offset) throws IOException {
          inner.read(index, target, offset);
        }

        @Override
        public void addTo(OutgoingFrame.Builder frame, int index) throws IOException {
          if (index == failAt) {
            throw new IOException("the disk went away at block index " + index);
          }
          Handed h = new Handed();
          handed.add(h);
          frame.closing(h);
          inner.addTo(frame, index);
        }
      };
    }

    @Override
    public CompletableFuture<Long> blockHeld(long target) {
      return held;
    }

    List<Integer> closes() {
      return handed.stream().map(h -> h.closes.get()).toList();
    }
  }

  /** A connection that keeps the frames it is given, which the test then closes as a transport would. */
  private static final class KeepingConnection extends AbstractConnection {
    final List<OutgoingFrame> kept = new CopyOnWriteArrayList<>();

    KeepingConnection() {
      super(Endpoint.tcp("127.0.0.1", 1), ConnectOptions.DEFAULT_MAX_FRAME_LENGTH, ListenerCounters.none(), null);
    }

    @Override
    public CompletableFuture<Void> send(byte[] frame) {
      return send(OutgoingFrame.of(frame));
    }

    @Override
    public CompletableFuture<Void> send(OutgoingFrame frame) {
      if (!isOpen()) {
        frame.close();
        return CompletableFuture.failedFuture(closedError("cannot send"));
      }
      kept.add(frame);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    protected void closeIo() {
    }
  }

  private static byte[] range(long from, long to) {
    return new Request.GetBlocksRange(from, to).encode();
  }

  @Test
  void aFailureWhileLayingOutTheAnswerClosesWhatTheBlocksHandedIt() {
    HandingState state = new HandingState();
    state.withBlocks(5, LARGE_RAW);
    state.failAt = 3;
    Response.Error e = assertInstanceOf(Response.Error.class, Responder.readOnly(state).answer(range(1, 5)));
    assertTrue(e.message().contains("the disk went away at block index 3"), e.message());
    assertEquals(List.of(1, 1, 1), state.closes(), "the three blocks laid out before the failure");
  }

  @Test
  void smallBlocksAreReadIntoTheAnswersOneArrayNotHandedToTheFrame() throws Exception {
    HandingState state = new HandingState();
    state.withBlocks(5); // blocks of a few dozen bytes: a system call each as pieces would cost more than the copy
    KeepingConnection connection = new KeepingConnection();
    Responder.readOnly(state).onConnect(connection).onFrame(connection, range(1, 5));
    OutgoingFrame sent = connection.kept.get(0);
    assertEquals(List.of(), state.handed, "no block went through addTo");
    assertEquals(1, sent.pieces().size(), "one piece: " + sent.pieces());
    Response.BlocksRange answer = assertInstanceOf(Response.BlocksRange.class, Response.decode(sent.toArray()));
    assertEquals(state.blocksRange(1, 5), answer.blocks());
    sent.close();
  }

  @Test
  void anAnswerThatFailsEndsTheConnectionSoNoLaterAnswerIsReadAsIts() {
    KeepingConnection connection = new KeepingConnection();
    OrderedAnswers answers = new OrderedAnswers(connection, System.getLogger("test"));
    CompletableFuture<Answer> first = new CompletableFuture<>();
    answers.submit(first);
    answers.submit(CompletableFuture.completedFuture(Answer.of(new Response.Error("the second request's answer"))));
    first.completeExceptionally(new IllegalStateException("a responder bug"));
    assertFalse(connection.isOpen(), "the first request has no answer: the connection cannot go on");
    assertEquals(List.of(), connection.kept, "the second answer is not sent in the first's place");
  }

  @Test
  void aSentAnswerIsTheConnectionsToClose() throws Exception {
    HandingState state = new HandingState();
    state.withBlocks(5, LARGE_RAW);
    KeepingConnection connection = new KeepingConnection();
    Responder.readOnly(state).onConnect(connection).onFrame(connection, range(1, 5));
    assertEquals(1, connection.kept.size());
    assertEquals(List.of(0, 0, 0, 0, 0), state.closes(), "not closed while the connection sends it");
    OutgoingFrame sent = connection.kept.get(0);
    Response.BlocksRange answer = assertInstanceOf(Response.BlocksRange.class, Response.decode(sent.toArray()));
    assertEquals(state.blocksRange(1, 5), answer.blocks());
    sent.close();
    sent.close();
    assertEquals(List.of(1, 1, 1, 1, 1), state.closes());
  }

  @Test
  void answersQueuedWhenTheConnectionClosesAreClosedAndNeverSent() throws Exception {
    HandingState state = new HandingState();
    state.withBlocks(5, LARGE_RAW);
    KeepingConnection connection = new KeepingConnection();
    FrameHandler handler = Responder.readOnly(state).onConnect(connection);
    handler.onFrame(connection, new Request.WaitForSyncToBlock(100, 3600).encode());
    handler.onFrame(connection, range(1, 5));
    handler.onFrame(connection, range(2, 3));
    assertEquals(List.of(), connection.kept, "both wait behind wait_for_sync_to_block");
    assertEquals(7, state.handed.size());
    assertTrue(state.closes().stream().allMatch(n -> n == 0), state.closes().toString());

    connection.close();
    connection.closed(handler); // the transport's I/O has ended
    assertTrue(state.closes().stream().allMatch(n -> n == 1), "closed at the connection's close: " + state.closes());

    state.held.complete(100L); // the wait ends after all: nothing goes out, nothing is closed twice
    handler.onFrame(connection, range(1, 1)); // a request read as the connection closed
    assertEquals(List.of(), connection.kept);
    assertTrue(state.closes().stream().allMatch(n -> n == 1), state.closes().toString());
  }

  @Test
  void anAnswerOverTheFrameLimitClosesTheConnection() throws Exception {
    HandingState state = new HandingState();
    state.withBlocks(5, LARGE_RAW);
    AbstractConnection small = new AbstractConnection(Endpoint.tcp("127.0.0.1", 1), 64, ListenerCounters.none(), null) {
      @Override
      public CompletableFuture<Void> send(byte[] frame) {
        Throwable refused = sendRefusal(frame);
        return refused != null ? CompletableFuture.failedFuture(refused) : CompletableFuture.completedFuture(null);
      }

      @Override
      protected void closeIo() {
      }
    };
    Responder.readOnly(state).onConnect(small).onFrame(small, range(1, 5));
    assertFalse(small.isOpen(), "a later answer must not overtake it: the connection is closed");
    assertTrue(state.closes().stream().allMatch(n -> n == 1), "the refused frame is closed: " + state.closes());
  }
}
