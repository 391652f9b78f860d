package io.peerlink.node.role;

import io.peerlink.discovery.core.MasterState;
import io.peerlink.discovery.core.Responder;
import io.peerlink.node.blocks.BlockChannelHandler;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master role (the seed's Go master): three listeners over one chain state.
 * <ul>
 *   <li>{@code executor_receive_socket_path}: the full query API, for the local node;</li>
 *   <li>{@code peer_rpc_bind:peer_rpc_port}: the read-only query API, for peers; mutating calls
 *       are answered with {@code error};</li>
 *   <li>{@code executor_send_socket_path}: the block channel, where commits arrive.</li>
 * </ul>
 * The state itself (and flushing it) belongs to the caller; closing this role closes the
 * listeners and removes their socket files.
 */
public final class MasterRole implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MasterRole.class);

  /** Commits can carry many transactions; far above any real one, far below memory limits. */
  static final int MAX_COMMIT_FRAME = 64 * 1024 * 1024;

  private final NodeConfig config;
  private final TransportRegistry transports;
  private final MasterState state;
  private final CommitIntake intake;
  private final List<Listener> listeners = new ArrayList<>();
  private volatile Endpoint peerRpcBound;

  /**
   * @param config where to listen
   * @param transports the installed transports
   * @param state what the query API answers from
   * @param intake where the block channel's commits go
   */
  @Inject
  public MasterRole(NodeConfig config, TransportRegistry transports, MasterState state, CommitIntake intake) {
    this.config = config;
    this.transports = transports;
    this.state = state;
    this.intake = intake;
  }

  /**
   * Binds the three listeners, logging each with its endpoint.
   *
   * @throws StartupException naming the key and endpoint that could not be bound; listeners already
   *     bound are closed again
   */
  public synchronized void start() throws StartupException {
    try {
      listen("executor_receive_socket_path", "query API (full, for the local node)", config.localMaster(),
          ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), Responder.fullAccess(state));
      Listener peer = listen("peer_rpc_port", "query API (read-only, for peers)", config.peerRpc(),
          ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), Responder.readOnly(state));
      peerRpcBound = peer.endpoint();
      listen("executor_send_socket_path", "block channel (commits from the local node)", config.blockChannel(),
          ListenOptions.of(FrameFormat.UVARINT).withMaxFrameLength(MAX_COMMIT_FRAME), new BlockChannelHandler(intake));
    } catch (StartupException e) {
      close();
      throw e;
    }
  }

  private Listener listen(String key, String what, Endpoint endpoint, ListenOptions options, ConnectionHandler handler)
      throws StartupException {
    Listener listener;
    try {
      listener = transports.transportFor(endpoint).listen(endpoint, options, handler);
    } catch (TransportException e) {
      throw new StartupException(key + ": cannot listen on " + endpoint + ": " + reason(e, endpoint), e);
    } catch (RuntimeException e) {
      throw new StartupException(key + ": cannot listen on " + endpoint + ": " + e.getMessage(), e);
    }
    listeners.add(listener);
    LOG.info("master: {} listening on {} ({})", what, listener.endpoint(), key);
    return listener;
  }

  // TransportException messages already start with the endpoint; say it once.
  private static String reason(TransportException e, Endpoint endpoint) {
    String msg = String.valueOf(e.getMessage());
    String prefix = endpoint + ": ";
    return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
  }

  /** The peer API's endpoint as bound (a configured port 0 replaced by the real one), once started. */
  public Optional<Endpoint> peerRpcEndpoint() {
    return Optional.ofNullable(peerRpcBound);
  }

  /** Closes the listeners, newest first, and removes their socket files; idempotent. */
  @Override
  public synchronized void close() {
    for (int i = listeners.size() - 1; i >= 0; i--) {
      Listener l = listeners.get(i);
      try {
        l.close();
      } catch (RuntimeException e) {
        LOG.warn("master: closing the listener on {} failed: {}", l.endpoint(), e.getMessage());
      }
      if (l.endpoint().isUnix()) {
        try {
          Files.deleteIfExists(l.endpoint().path());
        } catch (IOException e) {
          LOG.warn("master: could not remove socket file {}: {}", l.endpoint().path(), e.getMessage());
        }
      }
      LOG.info("master: stopped listening on {}", l.endpoint());
    }
    listeners.clear();
  }
}
