package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.transport.api.Endpoint;

/**
 * Told by {@link CatchUp} about each batch of blocks it moves or fails to move, by the peer
 * involved: what an application needs to count catch-up traffic per peer. Every method has an
 * empty default; calls come from the catch-up's executor, one at a time per run: return quickly.
 * An exception is logged and does not stop the catch-up.
 */
public interface CatchUpListener {

  /**
   * A batch from {@code peer} passed verification (numbering, range, parent hashes) and goes to
   * the block sink.
   *
   * @param blocks how many blocks it holds
   */
  default void onBatchFetched(Endpoint peer, int blocks) {
  }

  /**
   * The block sink took a batch from {@code peer}: the local tip moved by {@code blocks}.
   *
   * @param blocks how far the local tip moved (the sink may skip blocks it already had)
   */
  default void onBatchApplied(Endpoint peer, long blocks) {
  }

  /**
   * {@code peer} failed to serve a batch: unreachable, too slow, a broken or lying batch. The run
   * moves on to the next peer.
   *
   * @param kind how it failed ({@link PeerOutcome.Kind#PROTOCOL_ERROR} for a batch that did not
   *     verify)
   */
  default void onBatchFailed(Endpoint peer, PeerOutcome.Kind kind) {
  }

  /**
   * {@code peer} was banned: it returned or served another hash for a block than the one f+1 peers
   * confirmed. Told once per ban, when it starts; the ban's evidence is logged once too.
   *
   * @param ban the peer, the block, both hashes, and how long the ban lasts
   */
  default void onPeerBanned(PeerBan ban) {
  }
}
