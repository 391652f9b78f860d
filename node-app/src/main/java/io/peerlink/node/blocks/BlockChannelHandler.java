package io.peerlink.node.blocks;

import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.ProtocolException;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.FrameHandler;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's side of the block channel: each varint-delimited frame is one
 * {@link CommittedEpochData}, handed to a {@link CommitIntake} in arrival order. A frame that does
 * not decode is logged with its connection and skipped (the framing is intact, so the next frame
 * is still whole); the listener and the other connections go on.
 */
public final class BlockChannelHandler implements ConnectionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(BlockChannelHandler.class);

  private final CommitIntake intake;

  /** @param intake where decoded commits go */
  public BlockChannelHandler(CommitIntake intake) {
    this.intake = Objects.requireNonNull(intake, "intake");
  }

  @Override
  public FrameHandler onConnect(Connection connection) {
    LOG.debug("block channel: connection from {}", connection.remote());
    return new FrameHandler() {
      @Override
      public void onFrame(Connection c, byte[] frame) {
        CommittedEpochData commit;
        try {
          commit = CommittedEpochData.decode(frame);
        } catch (ProtocolException e) {
          LOG.warn("block channel {}: skipped a frame of {} bytes that is not a CommittedEpochData: {}",
              c.remote(), frame.length, e.getMessage());
          return;
        }
        try {
          intake.accept(commit);
        } catch (Exception e) {
          LOG.error("block channel {}: commit global_exec_index={} not applied: {}", c.remote(),
              Long.toUnsignedString(commit.globalExecIndex()), e.getMessage(), e);
        }
      }

      @Override
      public void onClose(Connection c, Throwable cause) {
        if (cause != null) {
          LOG.warn("block channel {}: connection closed: {}", c.remote(), cause.getMessage());
        } else {
          LOG.debug("block channel {}: connection closed", c.remote());
        }
      }
    };
  }
}
