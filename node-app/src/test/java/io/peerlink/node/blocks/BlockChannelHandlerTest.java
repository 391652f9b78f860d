package io.peerlink.node.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ExecutableBlock;
import io.peerlink.discovery.core.protocol.TransactionExe;
import io.peerlink.node.master.Commit;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The block channel reads the message the config names and refuses the other generation's. */
class BlockChannelHandlerTest {

  private static final byte[] COMMIT = new CommittedEpochData(List.of(new CommittedBlock(4, 9, List.of())), 9, 1, 4,
      1000).encode();
  private static final byte[] EXECUTABLE = new ExecutableBlock(List.of(new TransactionExe(new byte[] {1, 2}, 3)), 9, 1,
      4, 1000, 0, null, 7, null).encode();

  private static Connection connection() {
    Connection c = mock(Connection.class);
    when(c.remote()).thenReturn(Endpoint.parse("unix:///tmp/pl-test.sock"));
    return c;
  }

  @Test
  void aNodeSendingCommittedEpochDataHasItsExecutableBlocksRefused() {
    BlockChannelHandler handler = new BlockChannelHandler(c -> new java.util.concurrent.CompletableFuture<>(), false, 1 << 20);
    Commit commit = handler.read(connection(), COMMIT);
    assertEquals(List.of(9L, 4L, 1000L), List.of(commit.globalExecIndex(), commit.epoch(), commit.timestampMs()));
    assertNull(handler.read(connection(), EXECUTABLE), "never applied as a CommittedEpochData");
  }

  @Test
  void aNodeSendingExecutableBlocksHasThemAppliedAndItsCommitsRefused() {
    BlockChannelHandler handler = new BlockChannelHandler(c -> new java.util.concurrent.CompletableFuture<>(), true, 1 << 20);
    Commit block = handler.read(connection(), EXECUTABLE);
    assertEquals(List.of(9L, 4L, 1000L), List.of(block.globalExecIndex(), block.epoch(), block.timestampMs()));
    assertNull(handler.read(connection(), COMMIT));
    assertNull(handler.read(connection(), new byte[] {(byte) 0xff}), "malformed: skipped");
  }
}
