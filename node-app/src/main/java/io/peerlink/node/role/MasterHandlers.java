package io.peerlink.node.role;

import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.node.blocks.BlockChannelHandler;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.config.ListenerSettings;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.AccessPolicy;
import io.peerlink.transport.api.ConnectionHandler;
import java.util.Objects;

/**
 * What the master role's three listeners serve, built from the config and the chain state by the
 * node's Guice modules ({@code MasterModule}) and handed to {@link MasterRole}, which only binds
 * them to endpoints. Immutable.
 *
 * @param local the full query API ({@code executor_receive_socket_path}), counted by call
 * @param peers the read-only query API the peer port answers from, counted by call
 * @param peerPort what the peer port serves: {@code peers} behind the get_blocks_range rations
 *     ({@code limits.peer_rpc.*range_blocks_per_second}), or {@code peers} itself when both are 0
 * @param peerAddresses the configured peers' addresses (host names resolved once, here): the
 *     peer port's reserved slots and the rations' exemption from the strangers' budget
 * @param blockChannel the block channel's commits into the chain ({@code executor_send_socket_path})
 */
public record MasterHandlers(Responder local, Responder peers, ConnectionHandler peerPort, AccessPolicy peerAddresses,
    ConnectionHandler blockChannel) {

  /** Checks for nulls. */
  public MasterHandlers {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(peerPort, "peerPort");
    Objects.requireNonNull(peerAddresses, "peerAddresses");
    Objects.requireNonNull(blockChannel, "blockChannel");
  }

  /** The handlers of a master answering from {@code state} and taking commits into {@code intake}. */
  public static MasterHandlers of(NodeConfig config, MasterState state, CommitIntake intake) {
    ListenerSettings s = config.listeners();
    Responder local = Responder.fullAccess(state, config.master().waitForSyncTimeout());
    Responder peers = Responder.readOnly(state, config.master().waitForSyncTimeout());
    AccessPolicy peerAddresses = PeerAddresses.of(config.peers());
    ConnectionHandler peerPort = s.rangeBlocksPerSecond() == 0 && s.strangerRangeBlocksPerSecond() == 0
        && s.peerRangeBlocksPerSecond() == 0 ? peers
        : new RangeRateLimit(peers, s.rangeBlocksPerSecond(), s.strangerRangeBlocksPerSecond(),
            s.peerRangeBlocksPerSecond(), peerAddresses, System::nanoTime);
    return new MasterHandlers(local, peers, peerPort, peerAddresses,
        new BlockChannelHandler(intake, config.master().executableBlocks(), config.master().maxCommitBytes()));
  }
}
