package io.peerlink.node.role;

import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.node.config.NodeConfig;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One discovery round and the sync decision ({@code check-sync}), on the same discovery parts the
 * node role runs on (the node's Guice modules build both), so the command answers as the running
 * node would decide.
 */
public final class SyncCheck implements AutoCloseable {

  private final PeerDiscovery discovery;
  private final SyncChecker checker;
  private final Duration deadline;

  /**
   * @param config the discovery timeout the deadline is derived from
   * @param discovery the peers' status round; closed with this check
   * @param checker the decision over that round
   */
  @Inject
  public SyncCheck(NodeConfig config, PeerDiscovery discovery, SyncChecker checker) {
    this.discovery = discovery;
    this.checker = checker;
    // Peers are asked concurrently, each within the query timeout; the own master is asked too.
    this.deadline = config.discovery().queryTimeout().multipliedBy(2).plusSeconds(5);
  }

  /**
   * Asks the own master and the peers once and decides.
   *
   * @throws ExecutionException when the round failed (e.g. the own master is unreachable)
   * @throws TimeoutException when the round did not end within twice the discovery timeout and 5 s
   */
  public SyncStatus check() throws ExecutionException, TimeoutException, InterruptedException {
    return checker.check().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Closes the discovery's connections. */
  @Override
  public void close() {
    discovery.close();
  }
}
