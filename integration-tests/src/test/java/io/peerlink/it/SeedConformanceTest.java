package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.peerlink.discovery.core.proto.Seed;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's protocol against the packaged node, with a stand-in client and a stand-in Go master
 * built from protoc's classes of {@code seed.proto} (not peerlink's codec): a Rust node's
 * start-up against peerlink masters, identical blocks on two masters, pass-through of fields 12
 * and 13, catch-up into a Go master that needs them, and check-sync against peers that speak
 * another protocol.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SeedConformanceTest {

  private static Map<String, String> masterKeys(Path committee) {
    return Map.of("committee_path", "\"" + committee + "\"", "discovery.interval", "1s", "discovery.timeout", "2s");
  }

  @Test
  void aRustNodesStartUpRunsAgainstPeerlinkMastersAndTheirBlocksAreIdentical() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Path committee = Files.writeString(cluster.dir.resolve("committee.json"), SeedWire.committeeJson(4));
      int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick()};
      for (int i = 0; i < 2; i++) {
        Path config = cluster.writeConfig(i, ports[i], "127.0.0.1", List.of(), masterKeys(committee));
        cluster.startNode("master" + i, List.of(), i, "--master-only", "--config", config.toString());
      }
      // The peer's master has seen epochs 0-2 (commits 1-30); the local one only epoch 0.
      SeedWire.sendCommits(cluster.sendSocket(0), 1, 30);
      SeedWire.sendCommits(cluster.sendSocket(1), 1, 10);
      SeedWire.awaitBlock(cluster.receiveSocket(0), 30);
      SeedWire.awaitBlock(cluster.receiveSocket(1), 10);

      // Start-up: 6 and 5 on the local socket, and on each peer over TCP.
      try (SeedWire local = SeedWire.unix(cluster.receiveSocket(1)); SeedWire peer = SeedWire.tcp(ports[0])) {
        assertEquals(0, local.call(SeedWire.currentEpoch()).getGetCurrentEpochResponse().getEpoch());
        assertEquals(10, local.call(SeedWire.lastBlock()).getLastBlockNumberResponse().getLastBlockNumber());
        assertEquals(2, peer.call(SeedWire.currentEpoch()).getGetCurrentEpochResponse().getEpoch());
        assertEquals(30, peer.call(SeedWire.lastBlock()).getLastBlockNumberResponse().getLastBlockNumber());

        // The peer is in a later epoch: its committee, by request 9 over TCP to that peer's master.
        Seed.EpochBoundaryData boundary = peer.call(SeedWire.boundaryData(2)).getEpochBoundaryData();
        assertEquals(2, boundary.getEpoch());
        assertEquals(20, boundary.getBoundaryBlock());
        assertEquals(SeedWire.T0 + 21_000, boundary.getEpochStartTimestampMs(), "the first commit's consensus time");
        assertEquals(List.of("bls0", "bls1", "bls2", "bls3"), SeedWire.sorted(boundary.getValidatorsList().stream()
            .map(Seed.ValidatorInfo::getAuthorityKey).toList()));
        assertEquals("/ip4/127.0.0.1/tcp/9001", boundary.getValidators(1).getAddress());
        // The epoch monitor's fallback: validators at the boundary block; and the epoch's start, asked by epoch.
        assertEquals(boundary.getValidatorsList(),
            peer.call(SeedWire.validatorsAt(20)).getValidatorInfoList().getValidatorsList());
        assertEquals(SeedWire.T0 + 21_000,
            peer.call(SeedWire.epochStart(2)).getGetEpochStartTimestampResponse().getTimestampMs());
        // The peer port is read-only.
        assertTrue(peer.call(SeedWire.consensusFrom(31)).getError().contains("mutating"));
        assertTrue(local.call(SeedWire.consensusFrom(11)).getSetConsensusStartBlockResponse().getSuccess());
      }

      // Then the commit stream, later: the local master reaches the same blocks, byte for byte.
      SeedWire.sendCommits(cluster.sendSocket(1), 11, 30);
      SeedWire.awaitBlock(cluster.receiveSocket(1), 30);
      try (SeedWire a = SeedWire.tcp(ports[0]); SeedWire b = SeedWire.tcp(ports[1])) {
        byte[] range = SeedWire.blocksRange(1, 30).toByteArray();
        byte[] fromA = a.callRaw(range);
        assertEquals(30, Seed.Response.parseFrom(fromA).getGetBlocksRangeResponse().getBlocksCount());
        assertArrayEquals(fromA, b.callRaw(range), "two masters fed the same commits at different times");
        byte[] nine = SeedWire.boundaryData(2).toByteArray();
        assertArrayEquals(a.callRaw(nine), b.callRaw(nine), "the same committee answer");
      }
    }
  }

  @Test
  void blocksFromAGoPeerPassThroughTheNodeWithFields12And13() throws Exception {
    try (Cluster cluster = new Cluster(); StandInGoMaster goPeer = new StandInGoMaster().withOwnBlocks(20)) {
      int port = LoopbackPorts.pick();
      Path config = cluster.writeConfig(0, port, "127.0.0.1", List.of(goPeer.endpoint()),
          Map.of("discovery.interval", "1s", "discovery.timeout", "2s"));
      cluster.startNode("node", List.of(), 0, "--config", config.toString());
      SeedWire.awaitBlock(cluster.receiveSocket(0), 20);
      byte[] range = SeedWire.blocksRange(1, 20).toByteArray();
      try (SeedWire ours = SeedWire.tcp(port); SeedWire go = SeedWire.tcp(goPeer.port())) {
        byte[] served = ours.callRaw(range);
        assertArrayEquals(go.callRaw(range), served, "every block, fields 12, 13 and 40 included, byte for byte");
        Seed.BlockData first = Seed.BlockData.parseFrom(
            Seed.Response.parseFrom(served).getGetBlocksRangeResponse().getBlocks(0).toByteArray());
        assertEquals("go raw block 1", first.getRawBlockBytes().toStringUtf8());
        assertEquals("go backup 1", first.getBackupData().toStringUtf8());
        assertTrue(first.getUnknownFields().hasField(40));
      }
    }
  }

  @Test
  void aNodeCatchesUpIntoAGoMasterThatNeedsFields12And13() throws Exception {
    try (Cluster cluster = new Cluster(); StandInGoMaster goPeer = new StandInGoMaster().withOwnBlocks(20);
         StandInGoMaster goLocal = new StandInGoMaster()) {
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(goPeer.endpoint()),
          Map.of("executor_receive_socket_path", "\"" + goLocal.endpoint() + "\"", "discovery.interval", "1s",
              "discovery.timeout", "2s"));
      NodeProcess node = cluster.startNode("node", List.of(), 0, "--node-only", "--config", config.toString());
      node.awaitLine("node 0: Ready", Duration.ofSeconds(60));
      assertEquals(20, goLocal.lastBlock());
      assertEquals(0, goLocal.skipped.get(), "no block lost field 12 on the way");
      byte[] range = SeedWire.blocksRange(1, 20).toByteArray();
      try (SeedWire local = SeedWire.tcp(goLocal.port()); SeedWire peer = SeedWire.tcp(goPeer.port())) {
        assertArrayEquals(peer.callRaw(range), local.callRaw(range));
      }
    }
  }

  @Test
  void catchUpIntoAGoMasterThatSkipsTheBlocksIsReportedAndNotRetriedForever() throws Exception {
    try (Cluster cluster = new Cluster(); StandInGoMaster goLocal = new StandInGoMaster()) {
      Path committee = Files.writeString(cluster.dir.resolve("committee.json"), SeedWire.committeeJson(4));
      int peerPort = LoopbackPorts.pick();
      Path peerConfig = cluster.writeConfig(0, peerPort, "127.0.0.1", List.of(), masterKeys(committee));
      cluster.startNode("peer", List.of(), 0, "--master-only", "--config", peerConfig.toString());
      SeedWire.sendCommits(cluster.sendSocket(0), 1, 10); // peerlink's blocks carry no raw_block_bytes
      SeedWire.awaitBlock(cluster.receiveSocket(0), 10);

      Path config = cluster.writeConfig(1, LoopbackPorts.pick(), "127.0.0.1", List.of("tcp://127.0.0.1:" + peerPort),
          Map.of("executor_receive_socket_path", "\"" + goLocal.endpoint() + "\"", "discovery.interval", "1s",
              "discovery.timeout", "2s"));
      NodeProcess node = cluster.startNode("node", List.of(), 1, "--node-only", "--config", config.toString());
      String reported = node.awaitLine("catch-up stops until the local master's last block moves", Duration.ofSeconds(60));
      assertTrue(reported.contains("the local master at " + goLocal.endpoint() + " skipped block 1"), reported);
      assertTrue(reported.contains("block 1 has no raw_block_bytes"), reported);
      int handedOver = goLocal.syncRequests.get();
      assertEquals(3, handedOver, "three tries at block 1, then the stop");
      node.awaitLines("catch-up stays stopped", 3, Duration.ofSeconds(30)); // three more rounds
      assertEquals(handedOver, goLocal.syncRequests.get(), "no more blocks handed over after the stop");
      assertEquals(0, goLocal.lastBlock());
    }
  }


  @Test
  void checkSyncAgainstPeersThatDoNotSpeakTheProtocolIsIsolatedAndExits4() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/peer_info", exchange -> {
      byte[] body = "{\"node_id\": 1, \"epoch\": 9, \"last_block\": 900}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
    try (Cluster cluster = new Cluster(); StandInGoMaster goLocal = new StandInGoMaster().withOwnBlocks(5)) {
      String httpPeer = "tcp://127.0.0.1:" + http.getAddress().getPort();
      String nobody = "tcp://127.0.0.1:" + LoopbackPorts.pick();
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(httpPeer, nobody),
          Map.of("executor_receive_socket_path", "\"" + goLocal.endpoint() + "\"", "discovery.timeout", "2s"));
      NodeProcess.Result r = NodeProcess.run("check-sync", Duration.ofSeconds(60), "check-sync", "--config",
          config.toString());
      assertEquals(4, r.exitCode(), r.output());
      assertTrue(r.has("Isolated\\(none of 2 peers answered"), r.output());
      assertTrue(r.has(java.util.regex.Pattern.quote(httpPeer) + " \\(no answer in the protocol"), r.output());
      assertTrue(r.has(java.util.regex.Pattern.quote(nobody) + " \\(refused"), r.output());
      assertFalse(r.has("sync status: Ready"), r.output());
    } finally {
      http.stop(0);
    }
  }
}
