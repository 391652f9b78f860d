package io.peerlink.transport.tcp;

import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which Netty I/O implementation a transport runs on. Native epoll saves a copy and a selector
 * wake-up per read compared with NIO, so it is preferred where its library loads; NIO is the
 * pure-Java fallback. {@code -Dio.netty.transport.noNative=true} makes Netty report epoll as
 * unavailable, which forces NIO.
 */
enum IoMode {
  EPOLL {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return EpollIoHandler.newFactory();
    }

    @Override
    ChannelFactory<? extends SocketChannel> socketChannels() {
      return EpollSocketChannel::new;
    }

    @Override
    ChannelFactory<? extends ServerChannel> serverChannels() {
      return EpollServerSocketChannel::new;
    }
  },

  NIO {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }

    @Override
    ChannelFactory<? extends SocketChannel> socketChannels() {
      return NioSocketChannel::new;
    }

    @Override
    ChannelFactory<? extends ServerChannel> serverChannels() {
      return NioServerSocketChannel::new;
    }
  };

  abstract IoHandlerFactory ioHandlerFactory();

  abstract ChannelFactory<? extends SocketChannel> socketChannels();

  abstract ChannelFactory<? extends ServerChannel> serverChannels();

  /** Epoll when its native library loaded here (Netty checks once and keeps the answer), else NIO. */
  static IoMode best() {
    return Best.MODE;
  }

  /** Why epoll is not used, or null when it is. */
  static Throwable epollUnavailabilityCause() {
    return Best.MODE == EPOLL ? null : Best.EPOLL_CAUSE;
  }

  // A holder so the native library is probed on first use, not when the provider is constructed.
  private static final class Best {
    static final Throwable EPOLL_CAUSE;
    static final IoMode MODE;

    static {
      Throwable cause;
      try {
        cause = Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
      } catch (Throwable t) { // e.g. the classes-epoll jar missing from a trimmed class path
        cause = t;
      }
      EPOLL_CAUSE = cause;
      MODE = cause == null ? EPOLL : NIO;
    }
  }
}
