package io.peerlink.discovery.core.discovery;

/** Told by {@link SyncMonitor} when the node's {@link SyncState} changes kind. */
@FunctionalInterface
public interface SyncListener {

  /**
   * The state changed, e.g. from {@code SyncingCommits} to {@code Ready}. Called on the monitor's
   * scheduler thread, one call at a time, in order. An exception is logged and does not stop the
   * monitor or other listeners.
   *
   * @param previous the status reported before; null for the first one
   * @param current the new status
   */
  void onStateChange(SyncStatus previous, SyncStatus current);
}
