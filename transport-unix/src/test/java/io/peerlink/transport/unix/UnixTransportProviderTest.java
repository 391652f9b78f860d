package io.peerlink.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UnixTransportProviderTest {

  @Test
  void serviceLoaderFindsTheProvider() {
    List<TransportProvider> found = ServiceLoader.load(TransportProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p instanceof UnixTransportProvider)
        .collect(Collectors.toList());
    assertEquals(1, found.size(), "META-INF/services lists UnixTransportProvider once");
    TransportProvider p = found.get(0);
    assertEquals(Set.of("unix"), p.schemes());
    assertTrue(p.isAvailable(), "junixsocket works on this machine: " + p.unavailabilityReason());
    assertEquals(Optional.empty(), p.unavailabilityReason());
  }

  @Test
  void theInstalledRegistryResolvesBareSocketPathsToIt() throws Exception {
    try (TransportRegistry registry = TransportRegistry.installed()) {
      Endpoint bare = registry.endpoint("/tmp/peerlink-master.sock");
      assertEquals("unix:///tmp/peerlink-master.sock", bare.toString());
      assertTrue(registry.providerFor(bare) instanceof UnixTransportProvider);
      assertTrue(registry.schemes().contains("unix"));
    }
  }
}
