package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link Endpoint#parse} with arbitrary text (the input bytes as UTF-8, as a config file
 * would carry them).
 *
 * <p>Properties: the only exception is {@link InvalidEndpointException}, and its message quotes
 * the input; an accepted endpoint's canonical form parses back to an equal endpoint with the same
 * canonical form and hash; what an endpoint reports about itself fits its scheme (a TCP port in
 * range, an absolute Unix path within Linux's 107 bytes).
 *
 * <p>Seeds: {@code src/test/resources/io/peerlink/transport/api/EndpointFuzzTestInputs/parse/}.
 * CI fuzzes this for 30 s (see the {@code fuzz} profile in this module's pom).
 */
class EndpointFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Endpoint endpoint;
    try {
      endpoint = Endpoint.parse(text);
    } catch (InvalidEndpointException e) {
      assertEquals(text, e.input(), "the exception carries the input as written");
      assertTrue(e.getMessage().startsWith("invalid endpoint '" + text + "': expected "), e.getMessage());
      return;
    }
    String canonical = endpoint.toString();
    Endpoint again = Endpoint.parse(canonical);
    assertEquals(endpoint, again, () -> "'" + text + "' -> " + canonical + " -> " + again);
    assertEquals(canonical, again.toString(), "the canonical form is stable");
    assertEquals(endpoint.hashCode(), again.hashCode());
    assertEquals(endpoint.scheme(), endpoint.scheme().toLowerCase(java.util.Locale.ROOT));
    if (endpoint.isTcp()) {
      assertFalse(endpoint.host().isEmpty());
      assertTrue(endpoint.port() >= 0 && endpoint.port() <= 65535, canonical);
      assertEquals(endpoint, Endpoint.tcp(endpoint.host(), endpoint.port()), "tcp(host, port) rebuilds it");
    } else if (endpoint.isUnix()) {
      assertTrue(endpoint.path().isAbsolute(), canonical);
      assertTrue(endpoint.path().toString().getBytes(StandardCharsets.UTF_8).length <= Endpoint.MAX_UNIX_PATH_BYTES);
      assertEquals(endpoint, Endpoint.unix(endpoint.path()), "unix(path) rebuilds it");
    } else {
      assertFalse(endpoint.address().isEmpty(), canonical);
    }
  }
}
