package io.peerlink.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.node.config.ConfigLoader;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.config.ConfigValidationException;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whole nodes wired by Guice: the node role catching up from peers through its own master. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerlinkNodeTest {

  private LocalNodes local;
  private Path dir;
  private TransportRegistry transports;

  @BeforeEach
  void setUp() throws Exception {
    local = new LocalNodes();
    dir = local.dir;
    transports = local.transports;
  }

  @AfterEach
  void tearDown() throws Exception {
    local.close();
  }

  private PeerlinkNode node(int id, int port, List<Integer> peerPorts, PeerlinkNode.Roles roles) throws Exception {
    return local.start(id, port, peerPorts, roles);
  }

  private void feed(PeerlinkNode node, long epoch, long from, long to) throws Exception {
    local.feed(node, epoch, from, to);
  }

  private MasterStatus status(Endpoint e) throws Exception {
    try (MasterClient c = new MasterClient(transports, e, Duration.ofSeconds(5))) {
      return c.status().get(10, TimeUnit.SECONDS);
    }
  }

  private BlockData block(Endpoint e, long n) throws Exception {
    try (MasterClient c = new MasterClient(transports, e, Duration.ofSeconds(5))) {
      return c.blocksRange(n, n).get(10, TimeUnit.SECONDS).get(0);
    }
  }

  @Test
  void aNodeBehindCatchesUpFromItsPeersAndTurnsReady() throws Exception {
    int p0 = LoopbackPorts.pick();
    int p1 = LoopbackPorts.pick();
    int p2 = LoopbackPorts.pick();
    PeerlinkNode a = node(0, p0, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    PeerlinkNode b = node(1, p1, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    feed(a, 1, 1, 60);
    feed(a, 2, 61, 100);
    feed(b, 1, 1, 60);
    feed(b, 2, 61, 100);

    PeerlinkNode c = node(2, p2, List.of(p0, p1), PeerlinkNode.Roles.BOTH);
    SyncStatus ready = c.node().orElseThrow().firstReady().get(60, TimeUnit.SECONDS);
    assertTrue(ready.ready(), ready.summary());
    assertTrue(c.node().orElseThrow().blockSinkName().endsWith("in this process)"),
        "its own master takes the blocks directly, not through its socket: " + c.node().orElseThrow().blockSinkName());

    MasterStatus s = status(c.config().localMaster());
    assertEquals(100, s.lastBlockNumber());
    assertEquals(2, s.epoch());
    // A copy of the peers' chain, hash for hash.
    assertArrayEquals(block(a.config().peerRpc().withPort(p0), 100).blockHash(),
        block(c.config().localMaster(), 100).blockHash());
    assertArrayEquals(block(b.config().peerRpc().withPort(p1), 37).blockHash(),
        block(c.config().localMaster(), 37).blockHash());
  }

  @Test
  void aNodeBehindOnlyByEpochTakesTheNetworksEpoch() throws Exception {
    int p0 = LoopbackPorts.pick();
    int p1 = LoopbackPorts.pick();
    PeerlinkNode a = node(0, p0, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    feed(a, 1, 1, 10);
    try (MasterClient local = new MasterClient(transports, a.config().localMaster(), Duration.ofSeconds(5))) {
      local.advanceEpoch(3, 1_700_000_500_000L, 10).get(10, TimeUnit.SECONDS);
    }
    PeerlinkNode c = node(1, p1, List.of(p0), PeerlinkNode.Roles.MASTER_ONLY);
    feed(c, 1, 1, 10);
    local.stop(c);
    c = node(1, p1, List.of(p0), PeerlinkNode.Roles.BOTH);
    SyncStatus ready = c.node().orElseThrow().firstReady().get(60, TimeUnit.SECONDS);
    assertTrue(ready.ready(), ready.summary());
    MasterStatus s = status(c.config().localMaster());
    assertEquals(3, s.epoch());
    assertEquals(10, s.lastBlockNumber());
    try (MasterClient local = new MasterClient(transports, c.config().localMaster(), Duration.ofSeconds(5))) {
      assertEquals(1_700_000_500_000L, local.epochStartTimestampMs(3).get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aNodeBehindOnlyByEpochTakesTheEpochOnlyWithAStartFPlusOnePeersGive() throws Exception {
    int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick(), LoopbackPorts.pick()};
    long[] starts = {1_700_000_500_000L, 1_700_000_600_000L, 1_700_000_700_000L}; // one liar's start is as good as any
    PeerlinkNode[] peers = new PeerlinkNode[3];
    for (int i = 0; i < 3; i++) {
      peers[i] = node(i, ports[i], List.of(), PeerlinkNode.Roles.MASTER_ONLY);
      feed(peers[i], 1, 1, 10);
      advance(peers[i], starts[i]);
    }
    // Three peers and the node: f = 1, so two peers must give the same start of epoch 3.
    PeerlinkNode c = node(3, LoopbackPorts.pick(), List.of(ports[0], ports[1], ports[2]), PeerlinkNode.Roles.MASTER_ONLY);
    feed(c, 1, 1, 10);
    local.stop(c);
    c = node(3, c.config().peerRpc().port(), List.of(ports[0], ports[1], ports[2]), PeerlinkNode.Roles.BOTH);
    java.util.concurrent.CountDownLatch heldBack = new java.util.concurrent.CountDownLatch(2);
    c.node().orElseThrow().addCatchUpListener(r -> heldBack.countDown());
    assertTrue(heldBack.await(60, TimeUnit.SECONDS), "two catch-ups ended behind by epoch");
    assertEquals(1, status(c.config().localMaster()).epoch(), "no start had two voices: the master stays");

    advance(peers[1], starts[0]); // now two peers agree
    SyncStatus ready = c.node().orElseThrow().firstReady().get(60, TimeUnit.SECONDS);
    assertTrue(ready.ready(), ready.summary());
    assertEquals(3, status(c.config().localMaster()).epoch());
    try (MasterClient m = new MasterClient(transports, c.config().localMaster(), Duration.ofSeconds(5))) {
      assertEquals(starts[0], m.epochStartTimestampMs(3).get(10, TimeUnit.SECONDS));
    }
  }

  private void advance(PeerlinkNode node, long start) throws Exception {
    try (MasterClient m = new MasterClient(transports, node.config().localMaster(), Duration.ofSeconds(5))) {
      m.advanceEpoch(3, start, 10).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFarEpochOnePeerClaimsIsNotAdoptedUnderHighest() throws Exception {
    int p0 = LoopbackPorts.pick();
    int p1 = LoopbackPorts.pick();
    int p2 = LoopbackPorts.pick();
    PeerlinkNode honest = node(0, p0, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    PeerlinkNode liar = node(1, p1, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    feed(honest, 1, 1, 10);
    feed(liar, 1, 1, 10);
    try (MasterClient own = new MasterClient(transports, liar.config().localMaster(), Duration.ofSeconds(5))) {
      own.advanceEpoch(1_000_000, 1_700_000_500_123L, 10).get(10, TimeUnit.SECONDS); // a real master, lying
    }
    PeerlinkNode c = node(2, p2, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    feed(c, 1, 1, 10);
    local.stop(c);
    c = local.start(2, p2, List.of(p1, p0), PeerlinkNode.Roles.BOTH, "discovery.policy = highest");

    // The running node (not only check-sync): the liar, listed first, would be highest's tip; its
    // claim is refused as past discovery.max_epoch_jump, so the honest peer is the tip and the node is Ready.
    SyncStatus ready = c.node().orElseThrow().firstReady().get(60, TimeUnit.SECONDS);
    assertTrue(ready.ready(), ready.summary());
    assertEquals(PeerOutcome.Kind.CLAIM_REFUSED, ready.discovery().peers().get(0).kind());
    assertEquals(1, status(c.config().localMaster()).epoch(), "the own master did not move to the liar's epoch");
  }

  @Test
  void aBadConfigFailsBeforeAnythingListens() {
    String hocon = "executor_receive_socket_path = \"" + dir.resolve("m.sock") + "\"\npeer_rpc_port = \"nineteen\"";
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> PeerlinkNode.create(
        ConfigFactory.parseString(hocon), ConfigLoader.withoutOverrides(), PeerlinkNode.Roles.BOTH));
    assertEquals(List.of("peer_rpc_port = \"nineteen\": expected a port number 1-65535"), e.problems());
    assertFalse(Files.exists(dir.resolve("m.sock")));
  }

  @Test
  void closingRemovesSocketFilesAndReleasesStorageForTheNextStart() throws Exception {
    int p0 = LoopbackPorts.pick();
    PeerlinkNode a = node(0, p0, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    feed(a, 1, 1, 5);
    a.close();
    assertFalse(Files.exists(dir.resolve("master0.sock")));
    assertFalse(Files.exists(dir.resolve("exec0.sock")));
    PeerlinkNode again = node(0, p0, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    assertEquals(5, status(again.config().localMaster()).lastBlockNumber());
  }
}
