package io.peerlink.it.thirdparty;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameFormatException;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.support.AbstractConnection;
import io.peerlink.transport.api.support.ConnectionDeadlines;
import io.peerlink.transport.api.support.ListenerCounters;
import io.peerlink.transport.api.support.PipelineBound;
import io.peerlink.transport.api.support.RateLimitedLog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One socket: a reader thread that reads whole frames and hands them to the handler, and a writer
 * thread that alone writes the queued frames, so a handler that answers never blocks the reader on
 * a peer that does not read. An accepted connection's reader keeps the read deadlines
 * ({@link TimedInput}) and pauses at the pipelining bound. Closing once with a cause, the send
 * checks, the counting of bad frames and handler errors come from transport-api's support package.
 */
final class JdkTcpConnection extends AbstractConnection {

  /** A frame queued for the writer, and who waits for it. */
  private record Outgoing(byte[] bytes, CompletableFuture<Void> written) {
  }

  private static final Outgoing STOP = new Outgoing(new byte[0], new CompletableFuture<>());

  private final Socket socket;
  private final FrameFormat format;
  private final ConnectionDeadlines deadlines;
  private final PipelineBound bound;
  private final LinkedBlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
  private final Object pipeline = new Object(); // the paused reader waits on it
  private volatile boolean started;
  private volatile boolean abrupt; // close without writing what is queued

  /** A connection this process dialled: no listener, no deadlines, no bound. */
  static JdkTcpConnection dialled(Socket socket, Endpoint remote, FrameFormat format, int maxFrameLength) {
    return new JdkTcpConnection(socket, remote, format, maxFrameLength, ListenerCounters.none(), null,
        ConnectionDeadlines.none(), PipelineBound.none());
  }

  JdkTcpConnection(Socket socket, Endpoint remote, FrameFormat format, int maxFrameLength, ListenerCounters counters,
      RateLimitedLog errorLog, ConnectionDeadlines deadlines, PipelineBound bound) {
    super(remote, maxFrameLength, counters, errorLog);
    this.socket = socket;
    this.format = format;
    this.deadlines = deadlines;
    this.bound = bound;
  }

  /** Starts the writer and the reader; frames go to {@code handler}. */
  void start(FrameHandler handler) throws IOException {
    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    TimedInput in = new TimedInput(new BufferedInputStream(socket.getInputStream(), 64 * 1024), deadlines);
    if (deadlines.any()) {
      socket.setSoTimeout(TimedInput.TICK_MILLIS);
    }
    started = true;
    thread("jtcp-write-", () -> writeLoop(out));
    thread("jtcp-read-", () -> readLoop(in, handler));
  }

  private void thread(String prefix, Runnable body) {
    Thread t = new Thread(body, prefix + remote().address());
    t.setDaemon(true);
    t.start();
  }

  private void readLoop(TimedInput in, FrameHandler handler) {
    try {
      while (roomInPipeline()) {
        byte[] frame = format.readFrame(in, maxFrameLength());
        if (frame == null) {
          break; // the peer closed between frames: an orderly end
        }
        in.frameEnded();
        bound.delivered();
        try {
          handler.onFrame(this, frame);
        } catch (Exception | Error e) {
          handlerFailed("the frame handler threw " + e, e);
        }
      }
    } catch (TimedInput.Expired e) {
      if (e.partialFrame) {
        counters().closedPartialFrame();
        closeWith(deadlines.partialFrameError(remote()));
      } else {
        counters().closedIdle();
        closeWith(deadlines.idleError(remote()));
      }
    } catch (FrameFormatException e) {
      badFrame(e);
    } catch (EOFException e) {
      closeWith(new TransportException(remote(), TransportException.Kind.CLOSED, "the peer closed mid-frame: "
          + e.getMessage(), e));
    } catch (IOException e) {
      closeWith(new TransportException(remote(), TransportException.Kind.IO, String.valueOf(e), e)); // no-op once closed
    }
    closeWith(null); // no-op once closed; else the peer ended it: write what is queued, then close
    closed(handler);
  }

  // The pipelining bound: reading pauses while maxPipelined frames wait for their answers.
  private boolean roomInPipeline() throws IOException {
    synchronized (pipeline) {
      if (bound.reached() && !isClosed()) {
        counters().readPaused();
        while (bound.reached() && !isClosed()) {
          try {
            pipeline.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the pipeline was full", e);
          }
        }
      }
    }
    return !isClosed();
  }

  private void writeLoop(OutputStream out) {
    try {
      for (Outgoing o = queue.take(); o != STOP; o = queue.take()) {
        try {
          out.write(o.bytes());
          if (queue.isEmpty()) {
            out.flush(); // frames queued together leave together
          }
        } catch (IOException e) {
          TransportException failure = new TransportException(remote(), TransportException.Kind.CLOSED,
              "the connection broke while sending: " + e, e);
          closeWith(failure);
          o.written().completeExceptionally(failure);
          return;
        }
        deadlines.traffic(System.nanoTime());
        if (bound.answered()) {
          synchronized (pipeline) {
            pipeline.notifyAll();
          }
        }
        o.written().complete(null);
      }
      out.flush(); // every frame queued before an orderly close is written
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
      o.written().completeExceptionally(closedError("not sent"));
    }
  }

  @Override
  public CompletableFuture<Void> send(byte[] frame) {
    Throwable refused = sendRefusal(frame);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<Void> written = new CompletableFuture<>();
    queue.add(new Outgoing(format.encode(frame), written));
    if (isClosed()) {
      failQueued(); // closed while queueing: the writer may be gone
    }
    return written;
  }

  /** Closes at once, dropping what is queued: the transport or the listener is shutting down. */
  void closeNow() {
    abrupt = true;
    close();
  }

  // An orderly close lets the writer write what was sent before it, then close the socket; a close
  // with a cause (or closeNow) closes the socket at once, which also ends the reader's read.
  @Override
  protected void closeIo() {
    queue.add(STOP);
    if (abrupt || closeCause() != null || !started) {
      closeSocket();
    }
    synchronized (pipeline) {
      pipeline.notifyAll();
    }
    if (!started) {
      discarded(); // never handed to a handler: no reader to finish the close
    }
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
