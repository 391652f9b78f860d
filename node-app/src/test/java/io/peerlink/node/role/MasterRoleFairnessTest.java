package io.peerlink.node.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.RangeRateRefusal;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.node.TestNodes;
import io.peerlink.node.Workspace;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenerLimits;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The peer port keeps slots for configured peers and rations get_blocks_range per address. */
class MasterRoleFairnessTest {
  @RegisterExtension final Workspace ws = new Workspace();

  private MasterRole master(List<Endpoint> peers, ListenerLimits peerLimits, long rangeRate, long blocks) throws Exception {
    return master(peers, peerLimits, rangeRate, TestNodes.defaults().listeners().strangerRangeBlocksPerSecond(), blocks);
  }

  private MasterRole master(List<Endpoint> peers, ListenerLimits peerLimits, long rangeRate, long strangerRate,
      long blocks) throws Exception {
    return master(peers, peerLimits, rangeRate, strangerRate, TestNodes.defaults().listeners().peerRangeBlocksPerSecond(),
        blocks);
  }

  private MasterRole master(List<Endpoint> peers, ListenerLimits peerLimits, long rangeRate, long strangerRate,
      long peerRate, long blocks) throws Exception {
    NodeConfig base = TestNodes.config(ws.dir(), 0, peers);
    ListenerSettings d = TestNodes.defaults().listeners();
    ListenerSettings settings = new ListenerSettings(d.peerRpcAllow(), peerLimits, d.localLimits(), d.unixSocketMode(),
        Optional.empty(), Set.of(), Optional.empty(), List.of(), Set.of(), rangeRate, strangerRate, peerRate);
    return ws.master(new NodeConfig(base.nodeId(), base.blockChannel(), base.localMaster(), base.peers(),
        base.peerRpc(), base.storagePath(), base.retentionBlocks(), base.discovery(), settings,
        new io.peerlink.node.config.MetricsSettings(false, "127.0.0.1", 0, Duration.ZERO), base.master()), blocks);
  }

  private SocketChannel connect(String source, MasterRole master) throws Exception {
    return ws.keep(RawSockets.tcpFrom(source, "127.0.0.1", master.peerRpcEndpoint().orElseThrow().port()));
  }

  private static Response ask(SocketChannel ch, Request request) throws Exception {
    RawSockets.write(ch, FrameFormat.UINT32_BIG_ENDIAN.encode(request.encode()));
    return Response.decode(RawSockets.payload(RawSockets.readFrame(ch)));
  }

  private static boolean served(SocketChannel ch) {
    try {
      ch.socket().setSoTimeout(10_000);
      return ask(ch, new Request.GetLastBlockNumber()) instanceof Response.LastBlockNumber;
    } catch (SocketException | java.io.EOFException closed) {
      return false; // closed at accept
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void strangersCannotTakeTheSlotsKeptForConfiguredPeers() throws Exception {
    // The configured peer is 127.0.0.1 (its port does not matter); strangers come from 127.0.0.2.
    MasterRole master = master(List.of(Endpoint.tcp("127.0.0.1", 1)),
        TestNodes.defaults().listeners().peerRpcLimits().withMaxConnections(4, 4).withReservedConnections(2), 0, 0);
    assertTrue(served(connect("127.0.0.2", master)));
    assertTrue(served(connect("127.0.0.2", master)));
    assertTrue(!served(connect("127.0.0.2", master)), "a third stranger is over the unreserved share");
    assertTrue(served(connect("127.0.0.1", master)), "the configured peer still gets in");
    assertTrue(served(connect("127.0.0.1", master)));
  }

  @Test
  void rangeRequestsAreRationedPerAddress() throws Exception {
    MasterRole master = master(List.of(), TestNodes.defaults().listeners().peerRpcLimits(), 100, 120);
    SocketChannel greedy = connect("127.0.0.2", master);
    Response first = ask(greedy, new Request.GetBlocksRange(1, 100));
    assertInstanceOf(Response.BlocksRange.class, first, first.toString());
    Response second = ask(greedy, new Request.GetBlocksRange(1, 100));
    Response.Error refused = assertInstanceOf(Response.Error.class, second);
    assertEquals("get_blocks_range refused: 127.0.0.2 asked for more than 100 blocks a second"
        + " (limits.peer_rpc.range_blocks_per_second); ask again later", refused.message());
    assertInstanceOf(Response.LastBlockNumber.class, ask(greedy, new Request.GetLastBlockNumber()),
        "status calls are not rationed");
    SocketChannel other = connect("127.0.0.3", master);
    assertInstanceOf(Response.BlocksRange.class, ask(other, new Request.GetBlocksRange(1, 100)),
        "another address has its own budget");
  }

  @Test
  void strangersShareOneRangeBudgetAndConfiguredPeersKeepTheirOwn() throws Exception {
    // The configured peer is 127.0.0.1; 127.0.0.2 and 127.0.0.3 are strangers, each within its own budget.
    MasterRole master = master(List.of(Endpoint.tcp("127.0.0.1", 1)), TestNodes.defaults().listeners().peerRpcLimits(), 1_000, 150, 120);
    assertInstanceOf(Response.BlocksRange.class, ask(connect("127.0.0.2", master), new Request.GetBlocksRange(1, 100)));
    Response.Error refused = assertInstanceOf(Response.Error.class,
        ask(connect("127.0.0.3", master), new Request.GetBlocksRange(1, 100)), "the strangers' shared budget is spent");
    assertEquals("get_blocks_range refused: addresses that are not configured peers, together, asked for more than 150"
        + " blocks a second (limits.peer_rpc.stranger_range_blocks_per_second); ask again later", refused.message());
    SocketChannel peer = connect("127.0.0.1", master);
    assertInstanceOf(Response.BlocksRange.class, ask(peer, new Request.GetBlocksRange(1, 100)),
        "a configured peer is not charged to the strangers' budget");
    assertInstanceOf(Response.BlocksRange.class, ask(peer, new Request.GetBlocksRange(1, 100)));
  }

  @Test
  void aConfiguredPeerTakesItsOwnLargerBudget() throws Exception {
    // 127.0.0.1 is the configured peer: 300 blocks a second; the stranger 127.0.0.2 gets 100.
    MasterRole master = master(List.of(Endpoint.tcp("127.0.0.1", 1)), ListenerLimits.DEFAULTS, 100, 1_000, 300, 120);
    SocketChannel stranger = connect("127.0.0.2", master);
    assertInstanceOf(Response.BlocksRange.class, ask(stranger, new Request.GetBlocksRange(1, 100)));
    assertInstanceOf(Response.Error.class, ask(stranger, new Request.GetBlocksRange(1, 100)),
        "a stranger keeps range_blocks_per_second");
    SocketChannel peer = connect("127.0.0.1", master);
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(Response.BlocksRange.class, ask(peer, new Request.GetBlocksRange(1, 100)), "range " + i);
    }
    Response.Error refused = assertInstanceOf(Response.Error.class, ask(peer, new Request.GetBlocksRange(1, 100)));
    assertEquals("get_blocks_range refused: 127.0.0.1 asked for more than 300 blocks a second"
        + " (limits.peer_rpc.peer_range_blocks_per_second); ask again later", refused.message());
    assertTrue(RangeRateRefusal.is(refused.message()), "the client recognises it");
  }

  @Test
  @org.junit.jupiter.api.Timeout(60) // a channel read ignores SO_TIMEOUT: a master that never closes fails here
  void aConnectionThatKeepsAskingForRefusedRangesIsClosed() throws Exception {
    MasterRole master = master(List.of(), TestNodes.defaults().listeners().peerRpcLimits(), 100, 120);
    SocketChannel greedy = connect("127.0.0.2", master);
    byte[] one = FrameFormat.UINT32_BIG_ENDIAN.encode(new Request.GetBlocksRange(1, 100).encode());
    java.nio.ByteBuffer burst = java.nio.ByteBuffer.allocate(one.length * 200);
    for (int i = 0; i < 200; i++) {
      burst.put(one);
    }
    RawSockets.write(greedy, burst.array()); // pipelined, the budget spent by the first
    greedy.socket().setSoTimeout(10_000);
    int answers = 0;
    try {
      while (answers < 200) {
        RawSockets.readFrame(greedy);
        answers++;
      }
    } catch (java.io.EOFException | SocketException closed) {
      // closed by the master: the point
    }
    assertTrue(answers >= 1 && answers <= 1 + RangeRateLimit.MAX_REFUSALS_PER_SECOND,
        "one range served, at most " + RangeRateLimit.MAX_REFUSALS_PER_SECOND + " refused, then closed: " + answers
            + " answers");
    assertTrue(served(connect("127.0.0.2", master)), "the address may connect again and ask for status");
  }
}
