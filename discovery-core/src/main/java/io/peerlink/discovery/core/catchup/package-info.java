/**
 * Fetching the blocks a node lacks from its peers: {@link
 * io.peerlink.discovery.core.catchup.CatchUp} takes only blocks f+1 peers vouch for, checks each
 * batch, and hands it to a {@link io.peerlink.discovery.core.catchup.BlockSink}. The run, its
 * pipelined window, hash confirmation and the join base are package-private; discovery is used
 * through {@code PeerDiscovery}'s public methods only.
 */
package io.peerlink.discovery.core.catchup;
