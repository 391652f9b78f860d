package io.peerlink.examples.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.discovery.SyncState;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.TransportRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedding against masters on loopback, as a published-coordinates build sees it. */
class EmbedDiscoveryTest {

  @Test
  void aNodeBehindItsPeersIsToldToCatchUpToTheirTip() throws Exception {
    try (TransportRegistry transports = TransportRegistry.installed();
         Listener local = EmbedDiscovery.serve(transports, new StaticMaster(5, 1000));
         Listener peerA = EmbedDiscovery.serve(transports, new StaticMaster(5, 1234));
         Listener peerB = EmbedDiscovery.serve(transports, new StaticMaster(5, 1234))) {
      SyncStatus status = EmbedDiscovery.decide(transports, local.endpoint(),
          List.of(peerA.endpoint(), peerB.endpoint()));
      assertInstanceOf(SyncState.SyncingCommits.class, status.state(), status.summary());
      assertFalse(status.ready(), status.summary());
      assertEquals(1234, status.networkBlock(), status.summary());
      assertEquals(5, status.networkEpoch(), status.summary());
      assertEquals(1000, status.localBlock(), status.summary());
      assertEquals(234, status.blockGap(), status.summary());
      assertEquals(2, status.peersAnswered(), status.summary());
      assertTrue(status.bestPeer().filter(p -> p.equals(peerA.endpoint()) || p.equals(peerB.endpoint())).isPresent(),
          status.summary());
    }
  }

  @Test
  void aNodeLevelWithItsPeersIsReady() throws Exception {
    try (TransportRegistry transports = TransportRegistry.installed();
         Listener local = EmbedDiscovery.serve(transports, new StaticMaster(5, 1234));
         Listener peer = EmbedDiscovery.serve(transports, new StaticMaster(5, 1234))) {
      SyncStatus status = EmbedDiscovery.decide(transports, local.endpoint(), List.of(peer.endpoint()));
      assertTrue(status.ready(), status.summary());
      assertEquals(0, status.blockGap(), status.summary());
    }
  }

  @Test
  void withoutArgumentsItServesItsOwnMastersAndDecidesBehind() throws Exception {
    try (TransportRegistry transports = TransportRegistry.installed()) {
      SyncStatus status = EmbedDiscovery.againstOwnMasters(transports);
      assertFalse(status.ready(), status.summary());
      assertEquals(EmbedDiscovery.PEER_BLOCK, status.networkBlock(), status.summary());
      assertEquals(EmbedDiscovery.LOCAL_BLOCK, status.localBlock(), status.summary());
    }
  }
}
