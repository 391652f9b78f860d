package io.peerlink.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TcpTransportProviderTest {

  @Test
  void serviceLoaderFindsTheProviderForTheTcpScheme() {
    List<TransportProvider> tcp = ServiceLoader.load(TransportProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.schemes().contains("tcp"))
        .collect(Collectors.toList());
    assertEquals(1, tcp.size(), "one tcp provider: " + tcp);
    TransportProvider p = assertInstanceOf(TcpTransportProvider.class, tcp.get(0));
    assertTrue(p.isAvailable());
    assertEquals(Optional.empty(), p.unavailabilityReason());
    assertEquals(java.util.Set.of("tcp", "tls"), p.schemes());
  }

  @Test
  void theRegistryResolvesTcpEndpointsToIt() throws Exception {
    try (TransportRegistry registry = TransportRegistry.installed()) {
      Endpoint e = registry.endpoint("192.168.1.101:19201"); // the seed's bare form
      assertInstanceOf(TcpTransportProvider.class, registry.providerFor(e));
      Transport t = registry.transportFor(e);
      assertInstanceOf(TcpTransport.class, t);
    }
  }

  @Test
  void nativeEpollIsUsedWhereItLoadsOrNettySaysWhyNot() {
    IoMode best = IoMode.best();
    if (best == IoMode.NIO) {
      assertNotNull(IoMode.epollUnavailabilityCause(), "falling back to NIO needs a reason");
      System.getLogger(getClass().getName()).log(System.Logger.Level.INFO,
          "epoll unavailable here, NIO used: " + IoMode.epollUnavailabilityCause());
    }
    boolean linuxWithNativeJar = System.getProperty("os.name").equals("Linux")
        && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch"))
        && !Boolean.getBoolean("io.netty.transport.noNative");
    if (linuxWithNativeJar) {
      assertEquals(IoMode.EPOLL, best, "netty-all ships the epoll library for this platform; it should load: "
          + IoMode.epollUnavailabilityCause());
    }
    try (Transport t = new TcpTransportProvider().create()) {
      assertEquals(best, ((TcpTransport) t).mode());
    }
  }
}
