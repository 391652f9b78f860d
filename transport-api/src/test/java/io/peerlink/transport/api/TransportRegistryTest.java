package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.transport.api.testing.InMemoryTransportProvider;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransportRegistryTest {

  /** A provider that is installed but cannot work here. */
  static final class BrokenProvider implements TransportProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("broken");
    }

    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public Optional<String> unavailabilityReason() {
      return Optional.of("native library libbroken.so failed to load");
    }

    @Override
    public Transport create() {
      throw new IllegalStateException("unavailable");
    }
  }

  /** A second provider of one scheme, with a higher priority. */
  static final class PreferredMemProvider implements TransportProvider {
    @Override
    public Set<String> schemes() {
      return Set.of(InMemoryTransportProvider.SCHEME);
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public Optional<String> unavailabilityReason() {
      return Optional.empty();
    }

    @Override
    public int priority() {
      return 7;
    }

    @Override
    public Transport create() {
      return new InMemoryTransportProvider().create();
    }
  }

  @Test
  void serviceLoaderFindsTheInMemoryProviderOfTheTestClassPath() {
    TransportRegistry installed = TransportRegistry.installed();
    assertTrue(installed.schemes().contains("mem"), installed.describe());
  }

  @Test
  void theHighestPriorityAvailableProviderWins() throws Exception {
    TransportProvider plain = new InMemoryTransportProvider();
    TransportProvider preferred = new PreferredMemProvider();
    TransportRegistry registry = new TransportRegistry().register(plain).register(preferred).register(new BrokenProvider());
    assertSame(preferred, registry.providers().get(0), "highest priority first");
    assertEquals(3, registry.providers().size(), "unavailable providers stay listed, for error messages");
    assertSame(preferred, registry.providerFor(Endpoint.parse("mem://x")));
    registry.deregister(preferred);
    assertSame(plain, registry.providerFor(Endpoint.parse("mem://x")));
  }

  @Test
  void anUnknownSchemeNamesItselfAndTheInstalledOnes() {
    TransportRegistry registry = new TransportRegistry().register(new InMemoryTransportProvider()).register(new BrokenProvider());
    InvalidEndpointException parse = assertThrows(InvalidEndpointException.class, () -> registry.endpoint("quic://h:1"));
    assertTrue(parse.getMessage().contains("'quic'") && parse.getMessage().contains("[mem]"), parse.getMessage());

    InvalidEndpointException unavailable = assertThrows(InvalidEndpointException.class, () -> registry.endpoint("broken://x"));
    assertTrue(unavailable.getMessage().contains("libbroken.so"), "gives the unavailable provider's reason: " + unavailable.getMessage());

    TransportException e = assertThrows(TransportException.class, () -> registry.transportFor(Endpoint.parse("quic://h:1")));
    assertEquals(TransportException.Kind.UNSUPPORTED, e.kind());
    assertTrue(e.getMessage().contains("quic") && e.getMessage().contains("InMemoryTransportProvider")
        && e.getMessage().contains("libbroken.so") && e.getMessage().contains("class path"), e.getMessage());
  }

  @Test
  void transportsAreMadeOncePerProviderAndClosedWithTheRegistry() throws Exception {
    TransportRegistry registry = new TransportRegistry().register(new InMemoryTransportProvider());
    Transport t = registry.transportFor(Endpoint.parse("mem://a"));
    assertSame(t, registry.transportFor(Endpoint.parse("mem://b")));
    registry.close();
    TransportException e = assertThrows(TransportException.class, () -> registry.transportFor(Endpoint.parse("mem://a")));
    assertEquals(TransportException.Kind.CLOSED, e.kind());
  }
}
