package io.peerlink.it.bench;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;

/**
 * The raw baseline's client. {@link #call()} writes and reads on the caller's thread: no hand-off
 * at all, the floor any framework adds to. Pipelined, a reader thread per connection (thread per
 * connection, as the server) takes the answers in order and completes the callers' callbacks.
 */
final class RawStatusClient implements StatusClient {

  private final FramedChannel channel;
  private final ConcurrentLinkedQueue<BiConsumer<Long, Throwable>> pending = new ConcurrentLinkedQueue<>();
  private final Object writeLock = new Object();
  private final Thread reader;

  RawStatusClient(FramedChannel channel, boolean pipelined) {
    this.channel = channel;
    if (pipelined) {
      reader = new Thread(this::readLoop, "raw-client-reader");
      reader.setDaemon(true);
      reader.start();
    } else {
      reader = null;
    }
  }

  @Override
  public long call() throws IOException {
    if (reader != null) {
      throw new IllegalStateException("a pipelined raw client answers through callAsync only");
    }
    channel.writeFrame(StatusPayload.request());
    byte[] answer = channel.readFrame();
    if (answer == null) {
      throw new IOException("raw server closed the connection");
    }
    return StatusPayload.epochOf(answer);
  }

  @Override
  public void callAsync(BiConsumer<Long, Throwable> done) {
    if (reader == null) {
      throw new IllegalStateException("open the raw client with pipelined=true to use callAsync");
    }
    try {
      // Queue order must be wire order: enqueue and write under one lock.
      synchronized (writeLock) {
        pending.add(done);
        channel.writeFrame(StatusPayload.request());
      }
    } catch (IOException e) {
      if (pending.remove(done)) {
        done.accept(null, e);
      }
    }
  }

  private void readLoop() {
    Throwable failure = null;
    try {
      byte[] frame;
      while ((frame = channel.readFrame()) != null) {
        BiConsumer<Long, Throwable> done = pending.poll();
        if (done == null) {
          throw new IOException("an answer arrived with no request waiting for it");
        }
        long epoch;
        try {
          epoch = StatusPayload.epochOf(frame);
        } catch (IOException e) {
          done.accept(null, e);
          continue;
        }
        done.accept(epoch, null);
      }
      failure = new IOException("raw server closed the connection");
    } catch (IOException e) {
      failure = e;
    } finally {
      BiConsumer<Long, Throwable> done;
      while ((done = pending.poll()) != null) {
        done.accept(null, failure);
      }
    }
  }

  @Override
  public void close() {
    channel.close();
    if (reader != null) {
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
