package io.peerlink.node.role;

import static io.peerlink.node.role.RawSockets.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.node.TestNodes;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The master's three listeners on real sockets, checked byte for byte against PROTOCOL.md. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MasterRoleTest {

  private Path dir;
  private TransportRegistry transports;
  private TestNodes.State state;
  private MasterRole master;
  private NodeConfig config;

  @BeforeEach
  void start() throws Exception {
    dir = TestNodes.tempDir();
    transports = TransportRegistry.installed();
    config = TestNodes.config(dir, 0, List.of());
    state = TestNodes.state(dir.resolve("data"));
    master = new MasterRole(config, transports, state.masterState(), state.intake());
    master.start();
  }

  @AfterEach
  void stop() throws Exception {
    master.close();
    state.close();
    transports.close();
    TestNodes.deleteTree(dir);
  }

  private int peerPort() {
    return master.peerRpcEndpoint().orElseThrow().port();
  }

  /** Epoch 5, as in PROTOCOL.md's worked example, set through the full API. */
  private void advanceToEpoch5() throws Exception {
    try (MasterClient local = new MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
      local.advanceEpoch(5, 1_700_000_000_000L, 0).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void getCurrentEpochOverTheUnixSocketIsByteExact() throws Exception {
    advanceToEpoch5();
    try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 04 32 02 08 05", hex(RawSockets.readFrame(ch)));
      // The connection stays open for the next request.
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 04 32 02 08 05", hex(RawSockets.readFrame(ch)));
    }
  }

  @Test
  void getCurrentEpochOverTcpIsByteExact() throws Exception {
    try (SocketChannel ch = RawSockets.tcp("127.0.0.1", peerPort())) {
      // Epoch 0: the empty sub-message is still written.
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 02 32 00", hex(RawSockets.readFrame(ch)));
    }
    advanceToEpoch5();
    try (SocketChannel ch = RawSockets.tcp("127.0.0.1", peerPort())) {
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 04 32 02 08 05", hex(RawSockets.readFrame(ch)));
    }
  }

  @Test
  void theReadOnlyTcpPortRefusesAMutatingCallAndStaysOpen() throws Exception {
    advanceToEpoch5();
    try (SocketChannel ch = RawSockets.tcp("127.0.0.1", peerPort())) {
      // advance_epoch{new_epoch=6, epoch_start_timestamp_ms=1000, boundary_block=10}
      RawSockets.write(ch, hex("00 00 00 07 42 05 08 06 10 e8 07")); // boundary block 0: the master holds none
      Response answer = Response.decode(RawSockets.payload(RawSockets.readFrame(ch)));
      assertInstanceOf(Response.Error.class, answer, answer.toString());
      assertFalse(((Response.Error) answer).message().isEmpty());
      // Same connection, the state is unchanged.
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 04 32 02 08 05", hex(RawSockets.readFrame(ch)));
    }
    // sync_blocks{} is mutating too.
    try (SocketChannel ch = RawSockets.tcp("127.0.0.1", peerPort())) {
      RawSockets.write(ch, hex("00 00 00 03 b2 01 00"));
      Response answer = Response.decode(RawSockets.payload(RawSockets.readFrame(ch)));
      assertInstanceOf(Response.Error.class, answer, answer.toString());
    }
  }

  @Test
  void theUnixSocketServesTheMutatingCalls() throws Exception {
    try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
      RawSockets.write(ch, hex("00 00 00 07 42 05 08 06 10 e8 07")); // boundary block 0: the master holds none
      // advance_epoch_response{new_epoch=6, epoch_start_timestamp_ms=1000}
      assertEquals("00 00 00 07 42 05 08 06 10 e8 07", hex(RawSockets.readFrame(ch)));
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 04 32 02 08 06", hex(RawSockets.readFrame(ch)));
    }
  }

  @Test
  void anUnknownCallGetsAnErrorNotAClose() throws Exception {
    try (SocketChannel ch = RawSockets.tcp("127.0.0.1", peerPort())) {
      // Request field 9 (a seed call this project does not serve), empty.
      RawSockets.write(ch, hex("00 00 00 02 4a 00"));
      Response answer = Response.decode(RawSockets.payload(RawSockets.readFrame(ch)));
      assertInstanceOf(Response.Error.class, answer, answer.toString());
      RawSockets.write(ch, hex("00 00 00 02 32 00"));
      assertEquals("00 00 00 02 32 00", hex(RawSockets.readFrame(ch)));
    }
  }

  @Test
  void commitsOnTheBlockChannelMoveTheLastBlock() throws Exception {
    try (CommitSender sender = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
      sender.send(CommitSender.syntheticCommits(3, 1, 20), Duration.ofSeconds(10));
    }
    try (MasterClient peer = new MasterClient(transports, master.peerRpcEndpoint().orElseThrow(),
        Duration.ofSeconds(5))) {
      TestNodes.awaitLastBlock(peer, 20, Duration.ofSeconds(20));
      assertEquals(3L, peer.currentEpoch().get(5, TimeUnit.SECONDS));
      assertEquals(20, peer.blocksRange(1, 20).get(5, TimeUnit.SECONDS).size());
    }
  }

  @Test
  void theOneWayBlockChannelTakesMoreCommitsThanAnyPipeliningBoundOnOneConnection() throws Exception {
    // The block channel never answers, so a bound on unanswered frames must not apply to it:
    // with the listener default (256) the channel would stop reading after 256 commits.
    int commits = 600;
    try (CommitSender sender = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
      sender.send(CommitSender.syntheticCommits(1, 1, commits), Duration.ofSeconds(20));
      try (MasterClient local = new MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
        TestNodes.awaitLastBlock(local, commits, Duration.ofSeconds(20));
      }
    }
  }

  @Test
  void aGarbageFrameOnTheBlockChannelIsSkippedAndTheChannelGoesOn() throws Exception {
    try (SocketChannel ch = RawSockets.unix(config.blockChannel().path())) {
      RawSockets.write(ch, FrameFormat.UVARINT.encode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
      for (CommittedEpochData c : CommitSender.syntheticCommits(1, 1, 3)) {
        RawSockets.write(ch, FrameFormat.UVARINT.encode(c.encode()));
      }
      try (MasterClient local = new MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
        TestNodes.awaitLastBlock(local, 3, Duration.ofSeconds(20));
      }
    }
  }

  @Test
  void aPortInUseFailsStartUpNamingIt() throws Exception {
    Path other = TestNodes.tempDir();
    try {
      NodeConfig clash = TestNodes.withPeerRpc(TestNodes.config(other, 0, List.of()), master.peerRpcEndpoint().orElseThrow());
      TestNodes.State otherState = TestNodes.state(other.resolve("data"));
      MasterRole second = new MasterRole(clash, transports, otherState.masterState(), otherState.intake());
      StartupException e = assertThrows(StartupException.class, second::start);
      assertTrue(e.getMessage().startsWith("peer_rpc_port: cannot listen on " + master.peerRpcEndpoint().orElseThrow()),
          e.getMessage());
      // Nothing of the failed start is left bound: its own Unix socket was closed and removed again.
      assertFalse(Files.exists(clash.localMaster().path()), "the failed start left " + clash.localMaster());
      otherState.close();
    } finally {
      TestNodes.deleteTree(other);
    }
  }

  @Test
  void aSocketPathInUseFailsStartUpNamingIt() throws Exception {
    Path other = TestNodes.tempDir();
    try {
      NodeConfig clash = TestNodes.withLocalMaster(TestNodes.config(other, 0, List.of()), config.localMaster());
      TestNodes.State otherState = TestNodes.state(other.resolve("data"));
      MasterRole second = new MasterRole(clash, transports, otherState.masterState(), otherState.intake());
      StartupException e = assertThrows(StartupException.class, second::start);
      assertTrue(e.getMessage().startsWith("executor_receive_socket_path: cannot listen on " + config.localMaster()),
          e.getMessage());
      otherState.close();
      // The first master still answers on it.
      try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
        RawSockets.write(ch, hex("00 00 00 02 32 00"));
        assertEquals("00 00 00 02 32 00", hex(RawSockets.readFrame(ch)));
      }
    } finally {
      TestNodes.deleteTree(other);
    }
  }

  @Test
  void closingRemovesTheSocketFiles() throws IOException {
    List<Endpoint> unix = List.of(config.localMaster(), config.blockChannel());
    for (Endpoint e : unix) {
      assertTrue(Files.exists(e.path()), e + " should exist while listening");
    }
    master.close();
    for (Endpoint e : unix) {
      assertFalse(Files.exists(e.path()), e + " should be gone after close");
    }
  }
}
