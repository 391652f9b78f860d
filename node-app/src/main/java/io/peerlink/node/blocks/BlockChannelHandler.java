package io.peerlink.node.blocks;

import io.peerlink.discovery.core.protocol.BlockChannelMessage;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ExecutableBlock;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.node.master.Commit;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.TransportException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's side of the block channel: each varint-delimited frame is one commit, handed to a
 * {@link CommitIntake} in arrival order. The channel carries one kind of message, set by
 * {@code block_channel.message}: G1/G2's {@code CommittedEpochData} or G3's
 * {@code ExecutableBlock}. The handler does not wait for a commit's fsync: frames already received,
 * or arriving while it runs, are taken meanwhile, and the chain writes them together (group
 * commit). A frame of the other kind ({@link BlockChannelMessage#kindOf}) is
 * refused with an error naming it, never applied as the wrong one; a frame that does not decode
 * is logged with its connection and skipped (the framing is intact, so the next frame is still
 * whole). A frame over {@code block_channel.max_commit_bytes} closes its connection with an
 * error naming the size and the key. The listener and the other connections go on.
 */
public final class BlockChannelHandler implements ConnectionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(BlockChannelHandler.class);

  private final CommitIntake intake;
  private final boolean executableBlocks;
  private final int maxCommitBytes;

  /**
   * @param intake where decoded commits go
   * @param executableBlocks whether the node sends {@code ExecutableBlock} (G3) instead of {@code CommittedEpochData}
   * @param maxCommitBytes the listener's frame limit ({@code block_channel.max_commit_bytes}), for the error text
   */
  public BlockChannelHandler(CommitIntake intake, boolean executableBlocks, int maxCommitBytes) {
    this.intake = Objects.requireNonNull(intake, "intake");
    this.executableBlocks = executableBlocks;
    this.maxCommitBytes = maxCommitBytes;
  }

  private String expected() {
    return executableBlocks ? "ExecutableBlock" : "CommittedEpochData";
  }

  /** The commit in a frame, or null (logged) when it is the other kind or does not decode. */
  Commit read(Connection c, byte[] frame) {
    try {
      BlockChannelMessage.Kind kind = BlockChannelMessage.kindOf(frame);
      if (executableBlocks && kind == BlockChannelMessage.Kind.COMMITTED_EPOCH_DATA
          || !executableBlocks && kind == BlockChannelMessage.Kind.EXECUTABLE_BLOCK) {
        String other = executableBlocks ? "G1/G2's CommittedEpochData" : "G3's ExecutableBlock";
        LOG.error("block channel {}: refused a frame of {} bytes: it is {}, but block_channel.message says the node"
            + " sends {}; not applied", c.remote(), frame.length, other, expected());
        return null;
      }
      return executableBlocks ? Commit.of(ExecutableBlock.decode(frame)) : Commit.of(CommittedEpochData.decode(frame));
    } catch (ProtocolException e) {
      LOG.warn("block channel {}: skipped a frame of {} bytes that is not a {}: {}", c.remote(), frame.length,
          expected(), e.getMessage());
      return null;
    }
  }

  private static void notApplied(Connection c, Commit commit, Throwable e) {
    LOG.error("block channel {}: commit global_exec_index={} not applied: {}", c.remote(),
        Long.toUnsignedString(commit.globalExecIndex()), e.getMessage(), e);
  }

  @Override
  public FrameHandler onConnect(Connection connection) {
    LOG.debug("block channel: connection from {}", connection.remote());
    return new FrameHandler() {
      @Override
      public void onFrame(Connection c, byte[] frame) {
        Commit commit = read(c, frame);
        if (commit == null) {
          return;
        }
        try {
          // Not waited for: the next frames are read (and grouped) while this one's fsync runs.
          intake.accept(commit).whenComplete((outcome, e) -> {
            if (e != null) {
              notApplied(c, commit, e);
            }
          });
        } catch (Exception e) {
          notApplied(c, commit, e);
        }
      }

      @Override
      public void onClose(Connection c, Throwable cause) {
        if (cause instanceof TransportException && ((TransportException) cause).kind() == TransportException.Kind.BAD_FRAME) {
          LOG.error("block channel {}: connection closed: {}; the largest commit taken is block_channel.max_commit_bytes"
              + " = {} bytes (raise it to take larger commits)", c.remote(), cause.getMessage(), maxCommitBytes);
        } else if (cause != null) {
          LOG.warn("block channel {}: connection closed: {}", c.remote(), cause.getMessage());
        } else {
          LOG.debug("block channel {}: connection closed", c.remote());
        }
      }
    };
  }
}
