package io.peerlink.it.thirdparty;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A socket's input with the listener's two read deadlines: nothing for the idle timeout between
 * frames, or a frame left incomplete for the partial-frame timeout. The socket's SO_TIMEOUT is a
 * short tick; each tick that finds no byte checks the deadline that applies, and a blocking read
 * ends with {@link Expired} once it has passed. A frame starts with its first byte read and ends
 * when the reader says so ({@link #frameEnded()}), so it must sit above any read-ahead buffer.
 */
final class TimedInput extends FilterInputStream {

  /** The tick, when a deadline is set: how late a deadline may be noticed. */
  static final int TICK_MILLIS = 25;

  /** A read deadline passed. */
  static final class Expired extends IOException {
    final boolean partialFrame;

    Expired(boolean partialFrame, Duration after) {
      super(partialFrame ? "a frame stayed incomplete for " + after.toMillis() + " ms (partial-frame timeout)"
          : "nothing received for " + after.toMillis() + " ms (idle timeout)");
      this.partialFrame = partialFrame;
    }
  }

  private final Duration idle;
  private final Duration partial;
  private boolean inFrame;
  private long since = System.nanoTime(); // the last frame's end, or this frame's first byte

  /** A zero duration disables that deadline. */
  TimedInput(InputStream in, Duration idle, Duration partial) {
    super(in);
    this.idle = idle;
    this.partial = partial;
  }

  /** Whether any deadline applies, so the socket needs a tick. */
  boolean timed() {
    return !idle.isZero() || !partial.isZero();
  }

  /** The frame being read is complete: the idle deadline runs from now. */
  void frameEnded() {
    inFrame = false;
    since = System.nanoTime();
  }

  @Override
  public int read() throws IOException {
    while (true) {
      try {
        int b = super.read();
        started(b >= 0 ? 1 : -1);
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
        return started(super.read(b, off, len));
      } catch (SocketTimeoutException tick) {
        checkDeadline();
      }
    }
  }

  private int started(int n) {
    if (n > 0 && !inFrame) {
      inFrame = true;
      since = System.nanoTime();
    }
    return n;
  }

  private void checkDeadline() throws Expired {
    Duration limit = inFrame ? partial : idle;
    if (!limit.isZero() && System.nanoTime() - since >= limit.toNanos()) {
      throw new Expired(inFrame, limit);
    }
  }
}
