package io.peerlink.transport.tcp;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A range of a file channel the frame owns, not the region: released after its write, it leaves
 * the channel open. {@link DefaultFileRegion} closes its channel when released, which would close
 * a store's segment file under every other frame reading it; the frame's own
 * {@link io.peerlink.transport.api.OutgoingFrame#close()} closes what it owns, once.
 *
 * <p>Still a {@link DefaultFileRegion}: epoll sends exactly that class with {@code sendfile(2)},
 * NIO with {@link FileChannel#transferTo}.
 */
final class SharedFileRegion extends DefaultFileRegion {

  SharedFileRegion(FileChannel channel, long position, long count) {
    super(channel, position, count);
  }

  @Override
  protected void deallocate() {
    // the channel is the frame's: nothing of ours to free
  }
}
