package io.peerlink.discovery.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.server.Responder;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every {@link MasterClientTest} again, on a client made by {@link MasterClient#blocking}. */
class BlockingMasterClientTest extends MasterClientTest {

  @Override
  MasterClient newClient(TransportRegistry transports, Endpoint at, Duration timeout) {
    return MasterClient.blocking(transports, at, timeout, null);
  }

  @Test
  void everyCallReturnsOnceItsAnswerIsIn() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState().withBlocks(4)));
    MasterClient client = client(Duration.ofSeconds(5));
    List<CompletableFuture<?>> calls = List.of(client.currentEpoch(), client.lastBlockNumber(),
        client.epochStartTimestampMs(3), client.status(), client.blocksRange(1, 2));
    for (CompletableFuture<?> call : calls) {
      assertTrue(call.isDone() && !call.isCompletedExceptionally(), "completed on return: " + call);
    }
    assertEquals(new MasterStatus(3, 4), client.status().getNow(null));
  }

  @Test
  void callsFromSeveralThreadsEachGetTheirOwnAnswer() throws Exception {
    serve(Responder.fullAccess(new RecordingMasterState().withBlocks(9)));
    MasterClient client = client(Duration.ofSeconds(5));
    int threads = 6;
    int callsEach = 300;
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Integer>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean epochs = t % 2 == 0;
      done.add(CompletableFuture.supplyAsync(() -> {
        try {
          start.await();
          int ok = 0;
          for (int i = 0; i < callsEach; i++) {
            long answer = (epochs ? client.currentEpoch() : client.lastBlockNumber()).get(10, TimeUnit.SECONDS);
            ok += answer == (epochs ? 3 : 9) ? 1 : 0;
          }
          return ok;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, r -> new Thread(r, "caller").start()));
    }
    start.countDown();
    for (CompletableFuture<Integer> d : done) {
      assertEquals(callsEach, d.get(60, TimeUnit.SECONDS), "answers that were the caller's own");
    }
  }
}
