package io.peerlink.transport.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessPolicyTest {

  private static final AccessPolicy SEED_LAN = AccessPolicy.cidrs(List.of("192.168.1.0/24", "127.0.0.1", "::1/128", "10.0.0.0/9"));

  @ParameterizedTest
  @CsvSource({
      "tcp://192.168.1.101:19201, true",
      "tcp://192.168.2.1:19201, false",
      "tcp://127.0.0.1:5, true",
      "tcp://127.0.0.2:5, false",
      "tcp://[::1]:5, true",
      "tcp://[::2]:5, false",
      "tcp://[::ffff:192.168.1.7]:5, true",
      "tcp://10.127.255.255:1, true",
      "tcp://10.128.0.0:1, false",
  })
  void admitsExactlyTheAddressesInsideTheBlocks(String remote, boolean admitted) {
    assertEquals(admitted, SEED_LAN.refusal(Endpoint.parse(remote), Optional.empty()).isEmpty(), remote);
  }

  @Test
  void aRefusalSaysWhy() {
    String why = SEED_LAN.refusal(Endpoint.parse("tcp://198.51.100.1:1"), Optional.empty()).orElseThrow();
    assertTrue(why.contains("198.51.100.1") && why.contains("192.168.1.0/24"), why);
  }

  @ParameterizedTest
  @CsvSource({"192.168.1.0/33", "node-1.example/24", "192.168.1.0/x", "''"})
  void aBadBlockIsNamed(String block) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessPolicy.cidrs(List.of(block)));
    assertTrue(e.getMessage().contains("'" + block + "'"), e.getMessage());
  }

  @Test
  void uidAllowlistUsesPeerCredentials() {
    AccessPolicy uids = AccessPolicy.uids(Set.of(0L, 1000L));
    Endpoint local = Endpoint.parse("/tmp/x.sock");
    assertTrue(uids.refusal(local, Optional.of(new PeerCredentials(1, 1000, 1000))).isEmpty());
    assertTrue(uids.refusal(local, Optional.of(new PeerCredentials(1, 1001, 1000))).orElseThrow().contains("1001"));
    assertTrue(uids.refusal(local, Optional.empty()).isPresent(), "no credentials: refused");
    assertTrue(AccessPolicy.allowAll().refusal(local, Optional.empty()).isEmpty());
  }
}
