package io.peerlink.node.role;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.protocol.ExecutableBlock;
import io.peerlink.discovery.core.protocol.Request;
import io.peerlink.discovery.core.protocol.Response;
import io.peerlink.discovery.core.protocol.TransactionExe;
import io.peerlink.node.TestNodes;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.MasterSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.CommitteeFile;
import io.peerlink.node.master.CommitteeFiles;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every G1 request on the master's sockets, on real sockets: 1-12 on the local socket; on the
 * peer port the read-only calls served and the mutating ones refused; request 12 answered later
 * without holding the I/O thread; the block channel's G3 message and size limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MasterG1Test {

  private TestMaster fixture;
  private TransportRegistry transports;
  private NodeConfig config;

  @BeforeEach
  void start() throws Exception {
    fixture = new TestMaster(dir -> TestNodes.withMaster(TestNodes.config(dir, 0, List.of()),
        new MasterSettings(Optional.of(committeeFile(dir)), Duration.ofSeconds(30), 4096, false,
            TestNodes.defaults().master().maxClockSkew(), Optional.empty())),
        dir -> new CommitteeFile(committeeFile(dir)));
    transports = fixture.transports;
    config = fixture.config;
  }

  private static Path committeeFile(Path dir) {
    Path file = dir.resolve("committee.json");
    try {
      return java.nio.file.Files.exists(file) ? file : CommitteeFiles.write(file, 4, "k", true);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private SocketChannel peer() throws IOException {
    return RawSockets.tcp("127.0.0.1", fixture.peerPort());
  }

  private static void send(SocketChannel ch, Request request) throws IOException {
    byte[] body = request.encode();
    RawSockets.write(ch, ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array());
  }

  private static Response read(SocketChannel ch) throws Exception {
    return Response.decode(RawSockets.payload(RawSockets.readFrame(ch)));
  }

  private static Response ask(SocketChannel ch, Request request) throws Exception {
    send(ch, request);
    return read(ch);
  }

  private void feed(long from, long to, long epoch) throws Exception {
    try (CommitSender sender = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
      sender.send(CommitSender.syntheticCommits(epoch, from, to), Duration.ofSeconds(5));
    }
    try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
      Response r = ask(ch, new Request.WaitForSyncToBlock(to, 10));
      assertTrue(assertInstanceOf(Response.WaitForSyncToBlockResult.class, r).reached(), r.toString());
    }
  }

  @Test
  void theLocalSocketAnswersEveryG1Request() throws Exception {
    feed(1, 5, 0);
    try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
      assertEquals(4, assertInstanceOf(Response.ValidatorList.class, ask(ch, new Request.BlockRequest(3))).validators().size());
      assertTrue(assertInstanceOf(Response.ServerStatus.class, ask(ch, new Request.Status())).statusMessage()
          .contains("last block 5"));
      assertEquals("k-bls-1", assertInstanceOf(Response.ValidatorInfoList.class, ask(ch, new Request.GetActiveValidators()))
          .validators().get(1).authorityKey());
      assertEquals(4, assertInstanceOf(Response.ValidatorInfoList.class, ask(ch, new Request.GetValidatorsAtBlock(0)))
          .validators().size());
      assertEquals(new Response.LastBlockNumber(5), ask(ch, new Request.GetLastBlockNumber()));
      assertEquals(new Response.CurrentEpoch(0), ask(ch, new Request.GetCurrentEpoch()));
      assertEquals(new Response.AdvanceEpochResult(1, 1_750_000_000_000L),
          ask(ch, new Request.AdvanceEpoch(1, 1_750_000_000_000L, 5)));
      assertEquals(new Response.EpochStartTimestamp(1_750_000_000_000L), ask(ch, new Request.GetEpochStartTimestamp(1)));
      assertEquals(new Response.EpochStartTimestamp(1_750_000_000_000L), ask(ch, new Request.GetEpochStartTimestamp()),
          "an empty request 7 (G1) means the current epoch");
      Response.EpochBoundaryData boundary = assertInstanceOf(Response.EpochBoundaryData.class,
          ask(ch, new Request.GetEpochBoundaryData(1)));
      assertEquals(List.of(1L, 1_750_000_000_000L, 5L, 4L), List.of(boundary.epoch(), boundary.epochStartTimestampMs(),
          boundary.boundaryBlock(), (long) boundary.validators().size()));
      assertTrue(assertInstanceOf(Response.Error.class, ask(ch, new Request.GetEpochBoundaryData(9))).message()
          .contains("epoch 9 is not known"));
      Response.SetConsensusStartBlockResult consensus = assertInstanceOf(Response.SetConsensusStartBlockResult.class,
          ask(ch, new Request.SetConsensusStartBlock(6)));
      assertTrue(consensus.success());
      assertEquals(5, consensus.lastSyncBlock());
      Response.SetSyncStartBlockResult sync = assertInstanceOf(Response.SetSyncStartBlockResult.class,
          ask(ch, new Request.SetSyncStartBlock(9)));
      assertEquals(10, sync.syncStartBlock());
      Response.WaitForSyncToBlockResult waited = assertInstanceOf(Response.WaitForSyncToBlockResult.class,
          ask(ch, new Request.WaitForSyncToBlock(5, 1)));
      assertTrue(waited.reached());
    }
  }

  @Test
  void thePeerPortServesTheReadOnlyCallsAndRefusesTheMutatingOnes() throws Exception {
    feed(1, 3, 0);
    try (SocketChannel ch = peer()) {
      for (Request q : List.of(new Request.BlockRequest(1), new Request.Status(), new Request.GetActiveValidators(),
          new Request.GetValidatorsAtBlock(0), new Request.GetLastBlockNumber(), new Request.GetCurrentEpoch(),
          new Request.GetEpochStartTimestamp(), new Request.GetEpochBoundaryData(0), new Request.GetBlocksRange(1, 3))) {
        Response r = ask(ch, q);
        assertFalse(r instanceof Response.Error, q + " -> " + r);
        assertEquals(q.fieldNumber() == 4 ? 3 : q.fieldNumber(), r.fieldNumber(), q.toString());
      }
      for (Request q : List.of(new Request.AdvanceEpoch(1, 1, 1), new Request.SetConsensusStartBlock(4),
          new Request.SetSyncStartBlock(3), new Request.SyncBlocks(List.of()), new Request.ForceCommit("now"))) {
        Response.Error e = assertInstanceOf(Response.Error.class, ask(ch, q), q.toString());
        assertTrue(e.message().contains("mutating call, served on the local socket only"), e.message());
      }
      assertEquals(new Response.LastBlockNumber(3), ask(ch, new Request.GetLastBlockNumber()), "nothing changed");
    }
  }

  @Test
  void aWaitIsAnsweredLaterInOrderWhileOtherConnectionsAreServed() throws Exception {
    feed(1, 2, 0);
    try (SocketChannel waiting = peer()) {
      // A wait for block 5 and, pipelined behind it, a status call: answered in this order.
      send(waiting, new Request.WaitForSyncToBlock(5, 30));
      send(waiting, new Request.GetCurrentEpoch());
      List<SocketChannel> others = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) { // enough to share the waiting connection's event loop
          SocketChannel other = peer();
          others.add(other);
          assertEquals(new Response.LastBlockNumber(2), ask(other, new Request.GetLastBlockNumber()));
        }
      } finally {
        for (SocketChannel other : others) {
          other.close();
        }
      }
      try (CommitSender sender = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
        sender.send(CommitSender.syntheticCommits(0, 3, 5), Duration.ofSeconds(5));
      }
      Response.WaitForSyncToBlockResult done = assertInstanceOf(Response.WaitForSyncToBlockResult.class, read(waiting));
      assertTrue(done.reached());
      assertEquals(5, done.currentBlock());
      assertEquals(new Response.CurrentEpoch(0), read(waiting), "the pipelined call comes after the wait");
    }
  }

  @Test
  void aWaitThatTimesOutSaysSo() throws Exception {
    try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
      long start = System.nanoTime();
      Response.WaitForSyncToBlockResult r = assertInstanceOf(Response.WaitForSyncToBlockResult.class,
          ask(ch, new Request.WaitForSyncToBlock(1000, 1)));
      assertFalse(r.reached());
      assertTrue(r.message().contains("block 1000 not reached within 1 s"), r.message());
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900));
    }
  }

  @Test
  void theBlockChannelRefusesTheOtherGenerationsMessageAndOversizedCommits() throws Exception {
    try (var connection = transports.transportFor(config.blockChannel()).connect(config.blockChannel(),
        io.peerlink.transport.api.ConnectOptions.of(FrameFormat.UVARINT), (c, f) -> { }).get(5, TimeUnit.SECONDS)) {
      // G3's ExecutableBlock to a master set for CommittedEpochData: refused, not applied as a commit.
      connection.send(new ExecutableBlock(List.of(new TransactionExe(new byte[] {1, 2}, 0)), 1, 1, 7, 5, 0, null, 1, null)
          .encode()).get(5, TimeUnit.SECONDS);
      // Over block_channel.max_commit_bytes (4096 here): the connection is closed.
      connection.send(new byte[5000]).exceptionally(e -> null).get(5, TimeUnit.SECONDS);
      await("an oversized commit closes its connection (the master closes it)").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10)).until(() -> !connection.isOpen());
    }
    feed(1, 1, 2); // the listener goes on; the refused message left no block behind
    try (SocketChannel ch = RawSockets.unix(config.localMaster().path())) {
      Response.BlocksRange range = assertInstanceOf(Response.BlocksRange.class, ask(ch, new Request.GetBlocksRange(1, 1)));
      assertEquals(2, range.blocks().get(0).epoch(), "block 1 is the CommittedEpochData's, epoch 2, not the other's 7");
    }
  }
}
