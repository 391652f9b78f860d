package io.peerlink.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.ConfigFactory;
import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.FetchLimits;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportRegistry;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defaults live in reference.conf alone: with every key of a subtree set to something other
 * than the library's own defaults (DiscoveryOptions' builder, ListenerLimits.DEFAULTS, which stay
 * for embedders), every option node-app builds carries the configured value. An option the
 * library grows and node-app does not bind from a key would keep the library default and fail here.
 */
class ConfigFromReferenceTest {

  @Test
  void everyDiscoveryOptionComesFromTheConfig(@TempDir Path dir) throws Exception {
    for (String pem : new String[] {"chain.pem", "key.pem", "ca.pem"}) {
      Files.writeString(dir.resolve(pem), "-----BEGIN CERTIFICATE-----\n");
    }
    NodeConfig c = load(String.join("\n",
        "discovery { timeout = 3s, interval = 7s, threshold = 9, hysteresis = 2, policy = quorum, quorum_f = 2,",
        "  ban_duration = 2h, min_peers = 1, max_epoch_jump = 4 }",
        "health.backoff = [{failures = 2, skip = 1s}]",
        "catch_up { fetch_timeout = 11s, no_progress_timeout = 40s, max_bytes_ahead = 2097152 }",
        "commit_sync_batch_size = 100, commit_sync_parallel_fetches = 4, commit_sync_batches_ahead = 8",
        "tls { certificate_chain = \"" + dir.resolve("chain.pem") + "\", private_key = \"" + dir.resolve("key.pem")
            + "\", trusted_certificates = \"" + dir.resolve("ca.pem") + "\" }"));
    DiscoveryOptions configured = c.discovery();
    DiscoveryOptions library = DiscoveryOptions.defaults();
    int compared = 0;
    for (Method getter : DiscoveryOptions.class.getDeclaredMethods()) {
      if (Modifier.isPublic(getter.getModifiers()) && !Modifier.isStatic(getter.getModifiers())
          && getter.getParameterCount() == 0
          && !Set.of("toBuilder", "toString", "hashCode").contains(getter.getName())) {
        assertNotEquals(getter.invoke(library), getter.invoke(configured), "DiscoveryOptions." + getter.getName()
            + "() kept the library's default: node-app must set it from a key of reference.conf");
        compared++;
      }
    }
    assertEquals(14, compared, "every option of DiscoveryOptions was compared");
    for (RecordComponent component : FetchLimits.class.getRecordComponents()) { // and each of the fetch limits
      assertNotEquals(component.getAccessor().invoke(library.fetchLimits()),
          component.getAccessor().invoke(configured.fetchLimits()), "FetchLimits." + component.getName()
          + " kept the library's default");
    }
  }

  @Test
  void everyListenerLimitComesFromTheConfig() throws Exception {
    NodeConfig c = load(String.join("\n",
        "limits.peer_rpc { idle_timeout = 31s, partial_frame_timeout = 11s, max_connections = 1000,",
        "  max_connections_per_address = 60, max_pipelined = 250, reserved_for_peers = 10,",
        "  max_unanswered_bytes = 100000 }",
        "limits.local { idle_timeout = 5s, partial_frame_timeout = 9s, max_connections = 8, max_pipelined = 16,",
        "  max_unanswered_bytes = 8192 }"));
    for (ListenerLimits configured : new ListenerLimits[] {c.listeners().peerRpcLimits(), c.listeners().localLimits()}) {
      for (RecordComponent component : ListenerLimits.class.getRecordComponents()) {
        Method accessor = component.getAccessor();
        if (configured == c.listeners().localLimits() && component.getName().equals("reservedConnections")) {
          continue; // no remote addresses on a local socket: nothing to reserve, 0 whatever the library says
        }
        assertNotEquals(accessor.invoke(ListenerLimits.DEFAULTS), accessor.invoke(configured),
            "ListenerLimits." + component.getName() + " kept the library's default");
      }
    }
  }

  private static NodeConfig load(String hocon) throws ConfigValidationException {
    try (TransportRegistry transports = TransportRegistry.installed()) {
      return ConfigLoader.withoutOverrides().load(ConfigFactory.parseString(hocon), transports);
    }
  }
}
