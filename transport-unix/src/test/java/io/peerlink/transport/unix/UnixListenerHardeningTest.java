package io.peerlink.transport.unix;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.testing.AbstractListenerHardeningTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The listener hardening kit, run unchanged against Unix domain sockets. */
class UnixListenerHardeningTest extends AbstractListenerHardeningTest {

  private final AtomicInteger names = new AtomicInteger();

  @Override
  protected TransportProvider newProvider() {
    return new UnixTransportProvider();
  }

  @Override
  protected Endpoint newListenEndpoint(Path dir) {
    return Endpoint.unix(dir.resolve("h" + names.incrementAndGet() + ".sock"));
  }

  @Override
  protected Endpoint deadEndpoint(Path dir) {
    return Endpoint.unix(dir.resolve("nobody.sock"));
  }
}
