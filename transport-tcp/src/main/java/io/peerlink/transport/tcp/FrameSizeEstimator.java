package io.peerlink.transport.tcp;

import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;

/**
 * Counts a file region queued for writing by its length. Netty's default estimator counts it as
 * 0 bytes, so a frame sent from a file would never make the channel unwritable: an accepted
 * connection whose peer does not read would go on reading requests and queueing file-backed
 * answers past its listener's {@code maxUnansweredBytes}. Buffers count as before.
 */
final class FrameSizeEstimator implements MessageSizeEstimator {

  static final FrameSizeEstimator INSTANCE = new FrameSizeEstimator();

  private static final Handle BUFFERS = DefaultMessageSizeEstimator.DEFAULT.newHandle();

  private static final Handle HANDLE = msg -> msg instanceof FileRegion r
      ? (int) Math.min(Integer.MAX_VALUE, r.count()) : BUFFERS.size(msg);

  private FrameSizeEstimator() {
  }

  @Override
  public Handle newHandle() {
    return HANDLE;
  }
}
