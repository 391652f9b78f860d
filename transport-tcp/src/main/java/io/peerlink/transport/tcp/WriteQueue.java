package io.peerlink.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
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
 * queue behind them.
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
    if (channel.eventLoop().inEventLoop() && !scheduled.get() && queue.isEmpty()) {
      channel.writeAndFlush(frame, promise);
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
        channel.write(w.frame, w.promise);
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

  private void failAll(Throwable cause) {
    PendingWrite w;
    while ((w = queue.poll()) != null) {
      ReferenceCountUtil.release(w.frame);
      w.promise.tryFailure(cause);
    }
  }

  private static final class PendingWrite {
    final ByteBuf frame;
    final ChannelPromise promise;

    PendingWrite(ByteBuf frame, ChannelPromise promise) {
      this.frame = frame;
      this.promise = promise;
    }
  }
}
