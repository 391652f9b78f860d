package io.peerlink.discovery.core.discovery;

/**
 * Where the local node stands against the network tip: the states of the seed's
 * {@code check_sync_status}, plus {@link Ahead}. Two states are "the same state" for
 * {@link SyncMonitor} when they are of the same record type, whatever their numbers.
 */
public sealed interface SyncState {

  /** Whether the node may take part (Ready and Ahead). */
  boolean isReady();

  /** The kind of state, e.g. {@code "SyncingCommits"}. */
  default String kind() {
    return getClass().getSimpleName();
  }

  /**
   * Not enough is known to decide: the local master has not answered yet, or fewer peers answered
   * than {@link DiscoveryOptions#minimumPeers()} asks for.
   *
   * @param reason what is missing
   */
  record Initializing(String reason) implements SyncState {
    @Override
    public boolean isReady() {
      return false;
    }

    @Override
    public String toString() {
      return "Initializing(" + reason + ")";
    }
  }

  /**
   * Peers are configured but none of them answered in the protocol: the node cannot know where the
   * network is. Not ready and not behind; the node runs on, as the seed does, and says so each
   * round.
   *
   * @param peers how many peers were asked
   * @param why each peer and why it failed, e.g. {@code tcp://10.0.0.2:19201 (no answer in the protocol: ...)}
   */
  record Isolated(int peers, String why) implements SyncState {
    @Override
    public boolean isReady() {
      return false;
    }

    @Override
    public String toString() {
      return "Isolated(none of " + peers + " peers answered: " + why + ")";
    }
  }

  /**
   * The network is in a later epoch than the local node.
   *
   * @param target the network's epoch
   * @param local the local epoch
   */
  record SyncingEpoch(long target, long local) implements SyncState {
    @Override
    public boolean isReady() {
      return false;
    }

    @Override
    public String toString() {
      return "SyncingEpoch{target=" + Long.toUnsignedString(target) + ", local=" + Long.toUnsignedString(local) + "}";
    }
  }

  /**
   * Same epoch, but more blocks behind the network tip than the gap threshold.
   *
   * @param target the network's last block
   * @param current the local last block
   */
  record SyncingCommits(long target, long current) implements SyncState {
    @Override
    public boolean isReady() {
      return false;
    }

    @Override
    public String toString() {
      return "SyncingCommits{target=" + Long.toUnsignedString(target) + ", current="
          + Long.toUnsignedString(current) + "}";
    }
  }

  /** Within the gap threshold of the network tip. */
  record Ready() implements SyncState {
    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public String toString() {
      return "Ready";
    }
  }

  /**
   * The local node is past the network tip: a later epoch, or more blocks than the gap threshold
   * beyond the best peer. It counts as ready (there is nothing lower to sync to) and is logged as a
   * warning, since it usually means the peers are stale or unreachable.
   *
   * @param networkEpoch the network's epoch
   * @param networkBlock the network's last block
   * @param localEpoch the local epoch
   * @param localBlock the local last block
   */
  record Ahead(long networkEpoch, long networkBlock, long localEpoch, long localBlock) implements SyncState {
    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public String toString() {
      return "Ahead{network epoch=" + Long.toUnsignedString(networkEpoch) + " block="
          + Long.toUnsignedString(networkBlock) + ", local epoch=" + Long.toUnsignedString(localEpoch) + " block="
          + Long.toUnsignedString(localBlock) + "}";
    }
  }
}
