package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.support.ConnectionDeadlines;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * A socket's input under an accepted connection's {@link ConnectionDeadlines}: a blocking read
 * ends with {@link Expired} once the idle timeout (between frames) or the partial-frame timeout
 * (inside one) has passed. The socket's SO_TIMEOUT is a short tick; each tick that finds no byte
 * checks the deadline that applies. A frame starts with its first byte read and ends when the
 * reader says so ({@link #frameEnded()}), so this must sit above any read-ahead buffer.
 */
final class TimedInput extends FilterInputStream {

  /** The tick, when a deadline is set: how late a deadline may be noticed. */
  static final int TICK_MILLIS = 25;

  /** A read deadline passed. */
  static final class Expired extends IOException {
    final boolean partialFrame;

    Expired(boolean partialFrame) {
      super(partialFrame ? "partial-frame timeout" : "idle timeout");
      this.partialFrame = partialFrame;
    }
  }

  private final ConnectionDeadlines deadlines;
  private boolean inFrame;
  private long frameStart;

  TimedInput(InputStream in, ConnectionDeadlines deadlines) {
    super(in);
    this.deadlines = deadlines;
  }

  /** The frame being read is complete: only the idle deadline applies until the next one starts. */
  void frameEnded() {
    inFrame = false;
  }

  @Override
  public int read() throws IOException {
    while (true) {
      try {
        int b = super.read();
        received(b >= 0 ? 1 : -1);
        return b;
      } catch (SocketTimeoutException tick) {
        checkDeadline();
      }
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (true) {
      try {
        return received(super.read(b, off, len));
      } catch (SocketTimeoutException tick) {
        checkDeadline();
      }
    }
  }

  private int received(int n) {
    if (n > 0) {
      long now = System.nanoTime();
      deadlines.traffic(now);
      if (!inFrame) {
        inFrame = true;
        frameStart = now;
      }
    }
    return n;
  }

  private void checkDeadline() throws Expired {
    long now = System.nanoTime();
    if (inFrame ? deadlines.partialExpired(frameStart, now) : deadlines.idleExpired(now)) {
      throw new Expired(inFrame);
    }
  }
}
