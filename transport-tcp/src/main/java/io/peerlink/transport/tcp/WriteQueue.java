package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Moves frames sent from other threads onto the channel's event loop in batches: one task and one
 * flush (one system call) for however many frames were queued meanwhile, instead of one task and
 * one flush per frame as {@code channel.writeAndFlush} from a foreign thread would do. Frames sent
 * on the event loop itself, with nothing queued before them, are written directly.
 *
 * <p>Order is kept: a frame sent on the event loop while earlier ones wait in the queue joins the
 * queue behind them. A frame of several messages (buffers and file regions) is one entry, written
 * in one go on the event loop, so frames sent from other threads never come between its parts.
 */
final class WriteQueue implements Runnable {

  // Flush at least this often while draining a long queue, so the first frames leave early.
  private static final int MAX_WRITES_PER_FLUSH = 128;

  private final Channel channel;
  private final Queue<PendingWrite> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  WriteQueue(Channel channel) {
    this.channel = channel;
  }

  void write(ByteBuf frame, ChannelPromise promise) {
    enqueue(frame, promise);
  }

  /**
   * Writes {@code messages} one after the other as one frame; {@code promise} completes when all
   * are written, or fails with the first failure.
   */
  void write(List<Object> messages, ChannelPromise promise) {
    enqueue(new Parts(messages), promise);
  }

  private void enqueue(Object frame, ChannelPromise promise) {
    if (channel.eventLoop().inEventLoop() && !scheduled.get() && queue.isEmpty()) {
      writeNow(frame, promise);
      channel.flush();
      return;
    }
    queue.add(new PendingWrite(frame, promise));
    if (scheduled.compareAndSet(false, true)) {
      try {
        channel.eventLoop().execute(this);
      } catch (RejectedExecutionException e) { // the event loop has shut down
        scheduled.set(false);
        failAll(e);
      }
    }
  }

  @Override
  public void run() {
    try {
      int sinceFlush = 0;
      while (true) {
        PendingWrite w = queue.poll();
        if (w == null) {
          break;
        }
        writeNow(w.frame, w.promise);
        if (++sinceFlush == MAX_WRITES_PER_FLUSH) {
          channel.flush();
          sinceFlush = 0;
        }
      }
      if (sinceFlush > 0) {
        channel.flush();
      }
    } finally {
      scheduled.set(false);
      // A frame queued after the last poll and before the reset found 'scheduled' still set.
      if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
        try {
          channel.eventLoop().execute(this);
        } catch (RejectedExecutionException e) {
          scheduled.set(false);
          failAll(e);
        }
      }
    }
  }

  /** On the event loop: writes one frame, of one buffer or of {@link Parts}, without flushing. */
  private void writeNow(Object frame, ChannelPromise promise) {
    if (frame instanceof Parts parts) {
      PromiseCombiner all = new PromiseCombiner(channel.eventLoop());
      for (Object m : parts.messages) {
        all.add(channel.write(m));
      }
      all.finish(promise);
    } else {
      channel.write(frame, promise);
    }
  }

  private void failAll(Throwable cause) {
    PendingWrite w;
    while ((w = queue.poll()) != null) {
      if (w.frame instanceof Parts parts) {
        parts.messages.forEach(ReferenceCountUtil::release);
      } else {
        ReferenceCountUtil.release(w.frame);
      }
      w.promise.tryFailure(cause);
    }
  }

  /** The messages of one frame, written together. */
  private record Parts(List<Object> messages) {
  }

  private static final class PendingWrite {
    final Object frame; // a ByteBuf, or Parts
    final ChannelPromise promise;

    PendingWrite(Object frame, ChannelPromise promise) {
      this.frame = frame;
      this.promise = promise;
    }
  }
}
