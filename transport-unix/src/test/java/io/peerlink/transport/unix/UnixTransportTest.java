package io.peerlink.transport.unix;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractTransportTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The transport test kit, run unchanged against Unix domain sockets. */
class UnixTransportTest extends AbstractTransportTest {

  private final AtomicInteger names = new AtomicInteger();

  @Override
  protected TransportProvider newProvider() {
    return new UnixTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.unix(dir.resolve("l" + names.incrementAndGet() + ".sock"));
  }

  @Override
  protected Endpoint deadEndpoint(Path dir) {
    return Endpoint.unix(dir.resolve("nobody.sock"));
  }
}
