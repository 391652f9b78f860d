package io.peerlink.transport.tcp;

import io.peerlink.transport.api.TransportProvider;

/** The frames-of-pieces kit on tcp over NIO: file ranges by {@code FileChannel.transferTo}. */
class TcpNioOutgoingFrameTest extends TcpOutgoingFrameTest {

  @Override
  protected TransportProvider newProvider() {
    return new TcpTransportProvider(IoMode.NIO);
  }
}
