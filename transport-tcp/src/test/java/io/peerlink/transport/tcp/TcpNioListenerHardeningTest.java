package io.peerlink.transport.tcp;

import io.peerlink.transport.api.TransportProvider;

/** The listener hardening kit on NIO, the fallback where the native epoll library does not load. */
class TcpNioListenerHardeningTest extends TcpListenerHardeningTest {

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider(IoMode.NIO);
  }
}
