package io.peerlink.transport.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One frame's payload laid out as pieces, sent in order as one frame: bytes in memory and ranges
 * of open files. For a server that answers from stored bytes: a transport that can hand a file
 * range to the kernel (TCP's {@code sendfile}) sends it without reading it into the process; any
 * other transport reads the frame into one array ({@link #toArray()}) and sends that.
 *
 * <p>A frame owns what it was built with {@link Builder#closing}: {@link #close()} closes those
 * once. {@link Connection#send(OutgoingFrame)} takes the frame over and closes it when the frame
 * has been written, has failed, or was refused. The arrays of {@link Bytes} pieces are not copied:
 * they must not change until then.
 */
public final class OutgoingFrame implements AutoCloseable {

  /** One piece of a frame, in the order it is sent. */
  public sealed interface Piece permits Bytes, FileRange {

    /** How many bytes of the frame this piece is. */
    int length();
  }

  /** Bytes in memory: {@code length} bytes of {@code array} from {@code offset}. */
  public record Bytes(byte[] array, int offset, int length) implements Piece {
    /** Checks the range lies within the array. */
    public Bytes {
      Objects.checkFromIndexSize(offset, length, array.length);
    }
  }

  /**
   * {@code length} bytes of an open file from {@code position}. The channel is read with
   * positional reads only (its own position is not used or moved), so one channel may serve many
   * pieces and many frames at once.
   */
  public record FileRange(FileChannel channel, long position, int length) implements Piece {
    /** Checks the range is not negative and its end is a file position (no overflow). */
    public FileRange {
      Objects.requireNonNull(channel, "channel");
      if (position < 0 || length < 0) {
        throw new IllegalArgumentException("file range at " + position + " of " + length + " bytes: both must be >= 0");
      }
      if (position > Long.MAX_VALUE - length) {
        throw new IllegalArgumentException("file range at " + position + " of " + length
            + " bytes: its end is past the largest file position");
      }
    }

    /** Names the range in errors. */
    @Override
    public String toString() {
      return "file range of " + length + " bytes at " + position;
    }
  }

  private final List<Piece> pieces;
  private final int length;
  private final List<AutoCloseable> owned;
  private boolean closed; // guarded by this

  private OutgoingFrame(List<Piece> pieces, int length, List<AutoCloseable> owned) {
    this.pieces = pieces;
    this.length = length;
    this.owned = owned;
  }

  /** A frame of one array, which it does not copy. */
  public static OutgoingFrame of(byte[] frame) {
    // Made directly, not through a builder: every answer a responder sends is one of these.
    return new OutgoingFrame(frame.length == 0 ? List.of() : List.of(new Bytes(frame, 0, frame.length)),
        frame.length, List.of());
  }

  /** Starts a frame. */
  public static Builder builder() {
    return new Builder();
  }

  /** The pieces, in the order they are sent. */
  public List<Piece> pieces() {
    return pieces;
  }

  /** The frame's payload length: the sum of its pieces' lengths (the header is the transport's). */
  public int length() {
    return length;
  }

  /** Whether any piece is a file range. */
  public boolean hasFileRanges() {
    for (Piece p : pieces) {
      if (p instanceof FileRange) {
        return true;
      }
    }
    return false;
  }

  /**
   * The whole payload in one array: the frame's own when it is one whole array (as {@link #of}
   * makes, so sending it through {@link Connection#send(OutgoingFrame)}'s default costs no copy),
   * else a new one with the bytes pieces copied and the file ranges read.
   *
   * @throws IOException when a file range cannot be read whole (the file is shorter than the range
   *     says, or the read fails); the message names the range
   */
  public byte[] toArray() throws IOException {
    if (pieces.size() == 1 && pieces.get(0) instanceof Bytes b && b.offset() == 0 && b.length() == b.array().length) {
      return b.array();
    }
    byte[] out = new byte[length];
    int at = 0;
    for (Piece p : pieces) {
      if (p instanceof Bytes b) {
        System.arraycopy(b.array(), b.offset(), out, at, b.length());
      } else {
        readFully((FileRange) p, ByteBuffer.wrap(out, at, p.length()));
      }
      at += p.length();
    }
    return out;
  }

  /**
   * Checks that every file range lies within its file as it is now, so a transport that sends the
   * ranges from the kernel can refuse a frame before writing any of it (a range the file does not
   * hold would otherwise end the frame early, mid-stream).
   *
   * @throws IOException naming the first range its file does not hold whole, or when a file's size
   *     cannot be read
   */
  public void checkFileRanges() throws IOException {
    for (Piece p : pieces) {
      if (p instanceof FileRange r) {
        long size = r.channel().size();
        if (r.position() > size - r.length()) {
          throw new IOException(r + " ends past the end of its file: the file has " + size + " bytes");
        }
      }
    }
  }

  /**
   * Reads a file range into {@code target} (its remaining bytes, which must be the range's length).
   *
   * @throws IOException naming the range when the file ends before it does
   */
  public static void readFully(FileRange range, ByteBuffer target) throws IOException {
    long at = range.position();
    while (target.hasRemaining()) {
      int n = range.channel().read(target, at);
      if (n < 0) {
        throw new IOException(range + " ends early: the file has " + range.channel().size() + " bytes");
      }
      at += n;
    }
  }

  /** Closes what the frame owns, once; a failure to close is not reported (the bytes were sent or not). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception ignored) {
        // nothing to do: closing a read-only channel fails only when it is already gone
      }
    }
  }

  /** Builds a frame; not thread-safe. */
  public static final class Builder {
    private final List<Piece> pieces = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private long length;

    private Builder() {
    }

    /** Appends {@code length} bytes of {@code array} from {@code offset}; the array is not copied. */
    public Builder bytes(byte[] array, int offset, int length) {
      return add(new Bytes(array, offset, length));
    }

    /** Appends {@code length} bytes of {@code channel} from {@code position}. */
    public Builder file(FileChannel channel, long position, int length) {
      return add(new FileRange(channel, position, length));
    }

    /** Makes the frame close {@code resource} when it is closed (a channel opened for it, say). */
    public Builder closing(AutoCloseable resource) {
      owned.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    private Builder add(Piece piece) {
      if (piece.length() == 0) {
        return this;
      }
      long grown = length + piece.length();
      if (grown > Integer.MAX_VALUE - 8) { // checked before counting: a refused piece leaves the builder as it was
        throw new IllegalArgumentException("a frame of " + grown + " bytes or more: over the largest array, "
            + (Integer.MAX_VALUE - 8) + " bytes");
      }
      length = grown;
      // Adjacent ranges of one file merge, so a transport makes one system call for them.
      int last = pieces.size() - 1;
      if (piece instanceof FileRange r && last >= 0 && pieces.get(last) instanceof FileRange p
          && p.channel() == r.channel() && p.position() + p.length() == r.position()) {
        pieces.set(last, new FileRange(p.channel(), p.position(), p.length() + r.length()));
        return this;
      }
      pieces.add(piece);
      return this;
    }

    /** The frame; the builder should not be used after. */
    public OutgoingFrame build() {
      return new OutgoingFrame(List.copyOf(pieces), (int) length, List.copyOf(owned));
    }
  }
}
