package io.peerlink.discovery.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responder's answers, unit by unit (no transport). */
class ResponderTest {

  private static Response ask(Responder r, Request request) {
    return r.answer(request.encode());
  }

  @Test
  void rangeAnswersStayUnderTheByteBudget() {
    RecordingMasterState state = new RecordingMasterState();
    byte[] big = new byte[300 * 1024];
    for (int i = 1; i <= 100; i++) { // 30 MB in the state
      state.chain.add(new BlockData(i, null, 1, 0, null, null, null, null, 0, 0, big));
    }
    Response.BlocksRange r = assertInstanceOf(Response.BlocksRange.class,
        ask(Responder.fullAccess(state), new Request.GetBlocksRange(1, 100)));
    int expected = Responder.MAX_RANGE_RESPONSE_BYTES / (big.length + 16);
    assertEquals(expected, r.blocks().size());
    assertEquals(expected, r.count());
    assertTrue(r.encode().length <= Responder.MAX_RANGE_RESPONSE_BYTES + 64, "answer of " + r.encode().length);
  }

  @Test
  void aSingleBlockOverTheBudgetIsStillServed() {
    RecordingMasterState state = new RecordingMasterState();
    state.chain.add(new BlockData(1, null, 1, 0, null, null, null, null, 0, 0,
        new byte[Responder.MAX_RANGE_RESPONSE_BYTES + 1]));
    state.chain.add(RecordingMasterState.block(2));
    Response.BlocksRange r = assertInstanceOf(Response.BlocksRange.class,
        ask(Responder.fullAccess(state), new Request.GetBlocksRange(1, 2)));
    assertEquals(1, r.blocks().size(), "progress: the one block, alone");
  }

  @Test
  void aNullFromTheStateIsAnError() {
    MasterState nulls = new RecordingMasterState() {
      @Override
      public List<BlockData> blocksRange(long fromBlock, long toBlock) {
        return null;
      }
    };
    Response.Error e = assertInstanceOf(Response.Error.class,
        ask(Responder.fullAccess(nulls), new Request.GetBlocksRange(1, 2)));
    assertEquals("the master state returned nothing for get_blocks_range", e.message());
  }

  @Test
  void answersFollowTheRequestType() {
    RecordingMasterState state = new RecordingMasterState().withBlocks(3);
    Responder r = Responder.readOnly(state);
    assertTrue(r.isReadOnly());
    List<Response> answers = new ArrayList<>();
    for (Request q : List.of(new Request.GetLastBlockNumber(), new Request.GetCurrentEpoch(),
        new Request.GetEpochStartTimestamp())) {
      answers.add(ask(r, q));
    }
    assertEquals(List.of(new Response.LastBlockNumber(3), new Response.CurrentEpoch(3),
        new Response.EpochStartTimestamp(1_700_000_000_000L)), answers);
  }

  @Test
  void syncBlocksIsAnsweredFromTheStatesFutureAndAFailureIsAnError() {
    java.util.concurrent.CompletableFuture<Response.SyncBlocksResult> later = new java.util.concurrent.CompletableFuture<>();
    MasterState grouping = new RecordingMasterState() {
      @Override
      public java.util.concurrent.CompletableFuture<Response.SyncBlocksResult> syncBlocksLater(List<BlockData> blocks) {
        return later;
      }
    };
    Responder r = Responder.fullAccess(grouping);
    byte[] request = new Request.SyncBlocks(List.of(RecordingMasterState.block(1)), false).encode();
    java.util.concurrent.CompletableFuture<Response> answer = r.respond(request, "(test)").thenApply(Answer::response);
    assertTrue(!answer.isDone(), "not answered before the state's batch is durable");
    later.complete(new Response.SyncBlocksResult(1, 1, ""));
    assertEquals(new Response.SyncBlocksResult(1, 1, ""), answer.join());

    MasterState failing = new RecordingMasterState() {
      @Override
      public java.util.concurrent.CompletableFuture<Response.SyncBlocksResult> syncBlocksLater(List<BlockData> blocks) {
        return java.util.concurrent.CompletableFuture.failedFuture(new java.io.IOException("disk gone"));
      }
    };
    Response.Error e = assertInstanceOf(Response.Error.class, Responder.fullAccess(failing).answer(request));
    assertEquals("disk gone", e.message());
    assertInstanceOf(Response.Error.class, Responder.readOnly(grouping).answer(request), "still refused on the peer port");
  }
}
