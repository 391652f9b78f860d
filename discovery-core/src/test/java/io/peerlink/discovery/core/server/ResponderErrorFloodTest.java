package io.peerlink.discovery.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.testing.LogCapture;
import io.peerlink.discovery.core.testing.RecordingMasterState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** A flood of the same bad request is answered every time, counted, and logged once. */
class ResponderErrorFloodTest {

  private static final byte[] GARBAGE = {(byte) 0xff, (byte) 0xff, (byte) 0xff};

  @Test
  void aThousandIdenticalBadRequestsGiveOneLogLineAndACount() {
    AtomicLong clock = new AtomicLong();
    Responder responder = new Responder(new RecordingMasterState(), true, Responder.DEFAULT_WAIT_TIMEOUT, clock::get);
    try (LogCapture log = new LogCapture(Responder.class)) {
      for (int i = 0; i < 1000; i++) {
        assertInstanceOf(Response.Error.class, responder.answer(GARBAGE, "tcp://192.0.2.7:40000"));
      }
      List<String> lines = log.messages(Level.WARNING);
      assertEquals(1, lines.size(), "one line for the flood: " + lines);
      assertTrue(lines.get(0).contains("tcp://192.0.2.7:40000") && lines.get(0).contains("malformed request"),
          lines.get(0));
      Map<String, Long> counts = responder.errorCounts();
      assertEquals(1, counts.size(), counts.toString());
      assertEquals(1000L, counts.values().iterator().next());

      // Once the summary interval has passed, the next repeat sums up what was only counted.
      clock.addAndGet(TimeUnit.SECONDS.toNanos(ErrorTally.SUMMARY_INTERVAL.toSeconds()));
      responder.answer(GARBAGE, "tcp://192.0.2.8:40001");
      lines = log.messages(Level.WARNING);
      assertEquals(2, lines.size(), lines.toString());
      assertTrue(lines.get(1).startsWith("1000 more error answers") && lines.get(1).contains("1001 in all"), lines.get(1));
    }
  }

  /** A request holding only an empty length-delimited field {@code number}. */
  private static byte[] emptyField(int number) {
    int tag = number << 3 | 2;
    return new byte[] {(byte) (tag & 0x7f | 0x80), (byte) (tag >>> 7), 0};
  }

  @Test
  void distinctMessagesAreBoundedAndTheRestCountedTogether() {
    Responder responder = new Responder(new RecordingMasterState(), true, Responder.DEFAULT_WAIT_TIMEOUT, System::nanoTime);
    try (LogCapture log = new LogCapture(Responder.class)) {
      for (int i = 0; i < ErrorTally.MAX_MESSAGES + 50; i++) {
        // unsupported request fields, each a different message
        assertInstanceOf(Response.Error.class, responder.answer(emptyField(100 + i), "peer"));
      }
      Map<String, Long> counts = responder.errorCounts();
      assertTrue(counts.size() <= ErrorTally.MAX_MESSAGES + 1, "bounded: " + counts.size());
      assertEquals(ErrorTally.MAX_MESSAGES + 50L, counts.values().stream().mapToLong(Long::longValue).sum());
      assertTrue(log.messages(Level.WARNING).size() <= ErrorTally.MAX_MESSAGES + 1);
    }
  }

  @Test
  void errorAnswersAreCountedByTheCallTheyAnsweredNeverByWhatAPeerSent() {
    Responder responder = new Responder(new RecordingMasterState(), true, Responder.DEFAULT_WAIT_TIMEOUT, System::nanoTime);
    try (LogCapture log = new LogCapture(Responder.class)) {
      for (int i = 0; i < 3; i++) {
        responder.answer(GARBAGE, "peer");
      }
      for (int i = 0; i < 200; i++) {
        responder.answer(emptyField(100 + i), "peer"); // 200 different unknown calls
      }
      responder.answer(new io.peerlink.discovery.core.protocol.Request.SyncBlocks(List.of()).encode(), "peer");
      responder.answer(new io.peerlink.discovery.core.protocol.Request.GetLastBlockNumber().encode(), "peer");
    }
    assertEquals(Map.of("malformed", 3L, "unsupported", 200L, "sync_blocks", 1L), responder.errorCountsByCall());
  }
}
