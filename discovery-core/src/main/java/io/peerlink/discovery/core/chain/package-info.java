/**
 * What makes a run of blocks a chain, checked on the fields blocks carry: {@link
 * io.peerlink.discovery.core.chain.ChainVerifier} (consecutive numbers, whole hashes, parent
 * links), the one check catch-up and a master taking {@code sync_blocks} both make, and {@link
 * io.peerlink.discovery.core.chain.Hashes} (32-byte hashes, shown in full hex as evidence).
 */
package io.peerlink.discovery.core.chain;
