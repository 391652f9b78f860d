package io.peerlink.transport.api.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Close once with a cause; what a send after the close says; handlers that fail are counted once. */
class AbstractConnectionTest {

  private static final Endpoint PEER = Endpoint.parse("tcp://192.0.2.1:19201");

  /** A connection without I/O: counts closeIo calls. */
  private static final class Bare extends AbstractConnection {
    int closeIoCalls;

    Bare(ListenerCounters counters, RateLimitedLog log) {
      super(PEER, 100, counters, log);
    }

    @Override
    public CompletableFuture<Void> send(byte[] frame) {
      Throwable refused = sendRefusal(frame);
      return refused != null ? CompletableFuture.failedFuture(refused) : CompletableFuture.completedFuture(null);
    }

    @Override
    protected void closeIo() {
      closeIoCalls++;
    }
  }

  /** Records onClose calls. */
  private static final class Recorder implements FrameHandler {
    final List<Throwable> closes = new ArrayList<>();

    @Override
    public void onFrame(Connection c, byte[] frame) {
    }

    @Override
    public void onClose(Connection c, Throwable cause) {
      closes.add(cause);
    }
  }

  @Test
  void theFirstCloseWinsAndTheHandlerHearsItOnce() {
    Bare c = new Bare(ListenerCounters.none(), null);
    Recorder h = new Recorder();
    TransportException idle = new TransportException(PEER, Kind.TIMED_OUT, "no traffic for 10 ms");
    assertTrue(c.closeWith(idle));
    assertFalse(c.closeWith(new IllegalStateException("later")), "a second close changes nothing");
    c.close();
    assertEquals(1, c.closeIoCalls);
    assertFalse(c.isOpen());
    assertFalse(c.closeFuture().isDone(), "done only when the I/O has ended");
    c.closed(h);
    c.closed(h);
    assertEquals(List.of(idle), h.closes);
    assertTrue(c.closeFuture().isDone());
  }

  @Test
  void aSendAfterACloseKeepsTheCloseKind() {
    Bare c = new Bare(ListenerCounters.none(), null);
    c.closeWith(new TransportException(PEER, Kind.BAD_FRAME, "bad frame received: too long"));
    TransportException e = assertInstanceOf(TransportException.class, c.sendRefusal(new byte[1]));
    assertEquals(Kind.BAD_FRAME, e.kind());
    assertTrue(e.getMessage().contains("cannot send: bad frame received"), e.getMessage());

    Bare orderly = new Bare(ListenerCounters.none(), null);
    orderly.close();
    assertEquals(Kind.CLOSED, ((TransportException) orderly.sendRefusal(new byte[1])).kind());
  }

  @Test
  void tooLongOrNullFramesAreRefusedBeforeTheWire() {
    Bare c = new Bare(ListenerCounters.none(), null);
    assertNull(c.sendRefusal(new byte[100]));
    TransportException e = assertInstanceOf(TransportException.class, c.sendRefusal(new byte[101]));
    assertEquals(Kind.BAD_FRAME, e.kind());
    assertInstanceOf(NullPointerException.class, c.sendRefusal(null));
    assertTrue(c.isOpen(), "a refused frame leaves the connection open");
  }

  @Test
  void callersCannotCompleteTheCloseFuture() {
    Bare c = new Bare(ListenerCounters.none(), null);
    c.closeFuture().complete(null);
    assertFalse(c.closeFuture().isDone());
  }

  @Test
  void anAcceptedConnectionsFailingHandlersAndBadFramesAreCountedAndLogged() {
    ListenerCounters counters = new ListenerCounters();
    List<String> lines = new ArrayList<>();
    RateLimitedLog log = new RateLimitedLog((line, t) -> lines.add(line), Duration.ofSeconds(10), () -> 0L);

    Bare throwing = new Bare(counters, log);
    IllegalStateException boom = new IllegalStateException("boom");
    assertNull(throwing.askConnectionHandler(conn -> {
      throw boom;
    }));
    assertSame(boom, throwing.closeCause());

    Bare none = new Bare(counters, log);
    assertNull(none.askConnectionHandler(conn -> null), "a handler that gives no frame handler refuses");
    assertInstanceOf(IllegalStateException.class, none.closeCause());

    Bare bad = new Bare(counters, log);
    bad.badFrame(new FrameFormatException("frame length 101 exceeds the maximum of 100 bytes"));
    assertEquals(Kind.BAD_FRAME, ((TransportException) bad.closeCause()).kind());

    assertEquals(2, counters.snapshot().handlerErrors());
    assertEquals(1, counters.snapshot().badFrames());
    assertEquals(1, lines.size(), "one line for the flood, rate-limited: " + lines);
    assertTrue(lines.get(0).contains("tcp://192.0.2.1:19201"), lines.get(0));
  }
}
