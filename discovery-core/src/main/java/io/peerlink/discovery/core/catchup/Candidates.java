package io.peerlink.discovery.core.catchup;

import io.peerlink.discovery.core.discovery.PeerBans;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.transport.api.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Which peers a catch-up run asks, and which heights it tries to confirm. */
final class Candidates {

  private Candidates() {
  }

  /**
   * The peers that answered the round claiming blocks past {@code local}, banned ones left out:
   * the chosen best peer first, then the others, highest first.
   */
  static List<PeerOutcome> of(SyncStatus s, long local, PeerBans bans) {
    List<PeerOutcome> list = new ArrayList<>();
    for (PeerOutcome o : s.discovery().peers()) {
      if (o.answered() && !bans.isBanned(o.peer()) && Long.compareUnsigned(claim(o), local) > 0) {
        list.add(o);
      }
    }
    list.sort((a, b) -> SelectionPolicy.ORDER.compare(b.status().orElseThrow(), a.status().orElseThrow()));
    Optional<Endpoint> best = s.bestPeer();
    for (int i = 0; i < list.size(); i++) {
      if (best.isPresent() && list.get(i).peer().equals(best.get())) {
        list.add(0, list.remove(i));
        break;
      }
    }
    return list;
  }

  /**
   * The heights to try confirming, highest first: the network tip, then the lower claims (a
   * lower claim is where an honest peer may stand while a liar claims more), at most
   * {@link CatchUp#MAX_TIP_HEIGHTS}.
   */
  static List<Long> tipHeights(List<PeerOutcome> candidates, long target) {
    List<Long> heights = new ArrayList<>(List.of(target));
    List<Long> claims = new ArrayList<>();
    for (PeerOutcome o : candidates) {
      claims.add(claim(o));
    }
    claims.sort((a, b) -> Long.compareUnsigned(b, a));
    for (long c : claims) {
      if (heights.size() < CatchUp.MAX_TIP_HEIGHTS && Long.compareUnsigned(c, target) < 0
          && Long.compareUnsigned(c, heights.get(heights.size() - 1)) < 0) {
        heights.add(c);
      }
    }
    return heights;
  }

  /** The candidates, banned ones left out, that claim to hold block {@code number}. */
  static List<Endpoint> holders(List<PeerOutcome> candidates, PeerBans bans, long number) {
    List<Endpoint> out = new ArrayList<>();
    for (PeerOutcome o : candidates) {
      if (Long.compareUnsigned(claim(o), number) >= 0 && !bans.isBanned(o.peer())) {
        out.add(o.peer());
      }
    }
    return out;
  }

  private static long claim(PeerOutcome o) {
    return o.status().orElseThrow().lastBlockNumber();
  }
}
