package io.peerlink.transport.tcp;

import io.peerlink.transport.api.TransportProvider;

/** The transport test kit on NIO, the fallback where the native epoll library does not load. */
class TcpNioTransportTest extends TcpTransportTest {

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider(IoMode.NIO);
  }
}
