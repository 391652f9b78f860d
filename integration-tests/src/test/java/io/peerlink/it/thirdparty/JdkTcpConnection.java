package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * One connection: a reader thread that reads whole frames and hands them to the handler, and a
 * writer thread that alone writes the queued frames, so a handler that answers never blocks the
 * reader on a peer that does not read. On a listener's side the reader keeps the read deadlines
 * ({@link TimedInput}) and pauses while {@code maxPipelined} frames wait for their answers.
 * Closed once, with the cause that a later send reports.
 */
final class JdkTcpConnection implements Connection {

  /** A frame queued for the writer, and who waits for it. */
  private record Outgoing(byte[] bytes, CompletableFuture<Void> written) {
  }

  private static final Outgoing STOP = new Outgoing(new byte[0], new CompletableFuture<>());

  private final Socket socket;
  private final Endpoint remote;
  private final FrameFormat format;
  private final int maxFrameLength;
  private final ListenerLimits limits; // null on a client's connection: no deadlines, no bound
  private final ListenerEvents events;
  private final LinkedBlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Object pipeline = new Object();
  private long framesRead; // guarded by pipeline
  private long framesWritten; // guarded by pipeline
  private volatile TransportException closeCause; // set once, with closed

  /** What a listener counts; a client's connection reports to nobody. */
  interface ListenerEvents {
    ListenerEvents NONE = new ListenerEvents() {
    };

    default void readPaused() {
    }

    default void closed(JdkTcpConnection c, Closing why) {
    }
  }

  /** Why a connection closed, as a listener counts it. */
  enum Closing {
    CLEAN, IDLE, PARTIAL_FRAME, BAD_FRAME, HANDLER_ERROR
  }

  JdkTcpConnection(Socket socket, Endpoint remote, FrameFormat format, int maxFrameLength, ListenerLimits limits,
      ListenerEvents events) {
    this.socket = socket;
    this.remote = remote;
    this.format = format;
    this.maxFrameLength = maxFrameLength;
    this.limits = limits;
    this.events = events;
  }

  /** Starts the reader and the writer; frames go to {@code handler}. */
  void start(FrameHandler handler) throws IOException {
    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    TimedInput in = new TimedInput(new BufferedInputStream(socket.getInputStream(), 64 * 1024),
        limits == null ? Duration.ZERO : limits.idleTimeout(), limits == null ? Duration.ZERO : limits.partialFrameTimeout());
    if (in.timed()) {
      socket.setSoTimeout(TimedInput.TICK_MILLIS);
    }
    thread("jtcp-write-", () -> writeLoop(out));
    thread("jtcp-read-", () -> readLoop(in, handler));
  }

  private void thread(String prefix, Runnable body) {
    Thread t = new Thread(body, prefix + remote.address());
    t.setDaemon(true);
    t.start();
  }

  private void readLoop(TimedInput in, FrameHandler handler) {
    Closing why = Closing.CLEAN;
    try {
      while (awaitRoomInPipeline()) {
        byte[] frame = format.readFrame(in, maxFrameLength);
        if (frame == null) {
          break; // the peer closed between frames
        }
        in.frameEnded();
        synchronized (pipeline) {
          framesRead++;
        }
        try {
          handler.onFrame(this, frame);
        } catch (Exception e) {
          why = Closing.HANDLER_ERROR;
          close(new TransportException(remote, TransportException.Kind.IO, "the frame handler failed: " + e, e));
          break;
        }
      }
    } catch (TimedInput.Expired e) {
      why = e.partialFrame ? Closing.PARTIAL_FRAME : Closing.IDLE;
      close(new TransportException(remote, TransportException.Kind.TIMED_OUT, e.getMessage(), e));
    } catch (FrameFormatException e) {
      why = Closing.BAD_FRAME;
      close(new TransportException(remote, TransportException.Kind.BAD_FRAME, e.getMessage(), e));
    } catch (EOFException e) {
      close(new TransportException(remote, TransportException.Kind.CLOSED, "the peer closed mid-frame: " + e.getMessage(), e));
    } catch (IOException e) {
      if (isOpen()) {
        close(new TransportException(remote, TransportException.Kind.IO, String.valueOf(e), e));
      }
    }
    close(null, false);
    events.closed(this, why);
    handler.onClose(this, closeCause);
  }

  // The pipelining bound: frames read whose answers are not written yet. False once closed.
  private boolean awaitRoomInPipeline() throws IOException {
    if (limits == null) {
      return isOpen();
    }
    synchronized (pipeline) {
      if (framesRead - framesWritten >= limits.maxPipelined()) {
        events.readPaused();
        while (framesRead - framesWritten >= limits.maxPipelined() && isOpen()) {
          try {
            pipeline.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the pipeline was full", e);
          }
        }
      }
    }
    return isOpen();
  }

  private void writeLoop(OutputStream out) {
    try {
      while (true) {
        Outgoing o = queue.take();
        if (o == STOP) {
          out.flush();
          return; // every frame queued before the close is written
        }
        try {
          out.write(o.bytes());
          if (queue.isEmpty()) {
            out.flush(); // answers queued together leave together
          }
        } catch (IOException e) {
          TransportException failure = new TransportException(remote, TransportException.Kind.CLOSED, String.valueOf(e), e);
          close(failure);
          o.written().completeExceptionally(failure);
          return;
        }
        synchronized (pipeline) {
          framesWritten++;
          pipeline.notifyAll();
        }
        o.written().complete(null);
      }
    } catch (IOException e) {
      // the last flush: the peer is gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeSocket();
      failQueued();
    }
  }

  private void failQueued() {
    for (Outgoing o; (o = queue.poll()) != null; ) {
      o.written().completeExceptionally(closedException());
    }
  }

  private TransportException closedException() {
    TransportException cause = closeCause;
    return cause != null ? cause : new TransportException(remote, TransportException.Kind.CLOSED, "connection closed");
  }

  @Override
  public Endpoint remote() {
    return remote;
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    if (frame.length > maxFrameLength) {
      return CompletableFuture.failedFuture(new TransportException(remote, TransportException.Kind.BAD_FRAME,
          "frame of " + frame.length + " bytes exceeds the maximum of " + maxFrameLength + " bytes"));
    }
    if (!isOpen()) {
      return CompletableFuture.failedFuture(closedException());
    }
    CompletableFuture<Void> written = new CompletableFuture<>();
    queue.add(new Outgoing(format.encode(frame), written));
    if (!isOpen()) {
      failQueued(); // closed while queueing: the writer may be gone
    }
    return written;
  }

  @Override
  public boolean isOpen() {
    return !closed.isDone();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closed;
  }

  /** A clean close: the frames already sent are written first, then the socket closes. */
  @Override
  public void close() {
    close(null, false);
  }

  /** Closes at once for {@code cause}, which later sends report; queued frames are dropped. */
  void close(TransportException cause) {
    close(cause, true);
  }

  /** Closes at once, cleanly: the transport or the listener is shutting down. */
  void closeNow() {
    close(null, true);
  }

  private void close(TransportException cause, boolean now) {
    synchronized (this) {
      if (closed.isDone()) {
        return;
      }
      closeCause = cause;
      closed.complete(null);
    }
    queue.add(STOP); // the writer closes the socket once it reaches this
    if (now) {
      closeSocket();
    }
    synchronized (pipeline) {
      pipeline.notifyAll();
    }
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Runs {@code action} when this connection has closed. */
  void onClosed(Consumer<JdkTcpConnection> action) {
    closed.thenRun(() -> action.accept(this));
  }
}
