/**
 * The decision: {@link io.peerlink.discovery.core.discovery.PeerDiscovery} asks every peer and
 * the own master for their epoch and last block in one round, {@link
 * io.peerlink.discovery.core.discovery.SelectionPolicy} picks the tip, {@link
 * io.peerlink.discovery.core.discovery.SyncChecker} turns a round into a {@link
 * io.peerlink.discovery.core.discovery.SyncStatus}, and {@link
 * io.peerlink.discovery.core.discovery.SyncMonitor} repeats it. Peer health, bans, the epoch f+1
 * peers agree on and every option ({@link io.peerlink.discovery.core.discovery.DiscoveryOptions})
 * live here; a round's {@code [PEER EPOCH]} lines are written by one package-private class.
 */
package io.peerlink.discovery.core.discovery;
