package io.peerlink.node.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.node.TestNodes;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenerLimits;
import io.peerlink.transport.api.TransportRegistry;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The peer port keeps slots for configured peers and rations get_blocks_range per address. */
class MasterRoleFairnessTest {
  private Path dir;
  private TransportRegistry transports;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    dir = TestNodes.tempDir();
    transports = TransportRegistry.installed();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    transports.close();
    TestNodes.deleteTree(dir);
  }

  private MasterRole master(List<Endpoint> peers, ListenerLimits peerLimits, long rangeRate, long blocks) throws Exception {
    NodeConfig base = TestNodes.config(dir, 0, peers);
    ListenerSettings d = ListenerSettings.DEFAULTS;
    ListenerSettings settings = new ListenerSettings(d.peerRpcAllow(), peerLimits, d.localLimits(), d.unixSocketMode(),
        Optional.empty(), Set.of(), Optional.empty(), List.of(), Set.of(), rangeRate);
    NodeConfig config = new NodeConfig(base.nodeId(), base.blockChannel(), base.localMaster(), base.peers(),
        base.peerRpc(), base.storagePath(), base.retentionBlocks(), base.discovery(), settings, Duration.ZERO);
    TestNodes.State state = TestNodes.state(dir.resolve("data"));
    open.add(state);
    MasterRole master = new MasterRole(config, transports, state.masterState(), state.intake());
    open.add(master);
    master.start();
    if (blocks > 0) {
      try (CommitSender s = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
        s.send(CommitSender.syntheticCommits(1, 1, blocks), Duration.ofSeconds(10));
      }
      try (var c = new io.peerlink.discovery.core.MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
        TestNodes.awaitLastBlock(c, blocks, Duration.ofSeconds(20));
      }
    }
    return master;
  }

  private SocketChannel connect(String source, MasterRole master) throws Exception {
    SocketChannel ch = RawSockets.tcpFrom(source, "127.0.0.1", master.peerRpcEndpoint().orElseThrow().port());
    open.add(ch);
    return ch;
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
        ListenerLimits.DEFAULTS.withMaxConnections(4, 4).withReservedConnections(2), 0, 0);
    assertTrue(served(connect("127.0.0.2", master)));
    assertTrue(served(connect("127.0.0.2", master)));
    assertTrue(!served(connect("127.0.0.2", master)), "a third stranger is over the unreserved share");
    assertTrue(served(connect("127.0.0.1", master)), "the configured peer still gets in");
    assertTrue(served(connect("127.0.0.1", master)));
  }

  @Test
  void rangeRequestsAreRationedPerAddress() throws Exception {
    MasterRole master = master(List.of(), ListenerLimits.DEFAULTS, 100, 120);
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
}
