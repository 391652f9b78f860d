package io.peerlink.node.role;

import io.peerlink.discovery.core.DiscoveryOptions;
import io.peerlink.discovery.core.MasterClient;
import io.peerlink.discovery.core.PeerBans;
import io.peerlink.discovery.core.PeerOutcome;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The start of an epoch the node is about to move its own master to, confirmed before it is
 * adopted: every peer (not banned) that answered the round with that epoch or a later one is asked
 * for the epoch's start ({@code get_epoch_start_timestamp}, request 7), and the start is taken only
 * when {@code required} peers (f+1; a second peer under highest) answer the same. So one peer
 * claiming a far epoch, or a wrong start, cannot move the own master.
 */
final class EpochStart {

  private EpochStart() {
  }

  /**
   * The confirmed start of {@code epoch}; fails with {@link IllegalStateException} naming each
   * peer's answer when no start has {@code required} answers alike.
   */
  static CompletableFuture<Long> confirmed(TransportRegistry transports, DiscoveryOptions options,
      List<PeerOutcome> round, PeerBans bans, long epoch, int required) {
    List<Endpoint> asked = new ArrayList<>();
    for (PeerOutcome o : round) {
      if (o.answered() && Long.compareUnsigned(o.status().orElseThrow().epoch(), epoch) >= 0
          && !bans.isBanned(o.peer())) {
        asked.add(o.peer());
      }
    }
    List<CompletableFuture<Object>> answers = new ArrayList<>();
    for (Endpoint p : asked) {
      MasterClient client = new MasterClient(transports, p, options.queryTimeout(), options.tls().orElse(null));
      answers.add(client.epochStartTimestampMs(epoch).handle((start, e) -> {
        client.close();
        return e != null ? (Object) ("failed: " + e.getMessage()) : start;
      }));
    }
    return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
      Map<Endpoint, Object> said = new LinkedHashMap<>();
      Map<Long, Integer> votes = new HashMap<>();
      for (int i = 0; i < asked.size(); i++) {
        Object a = answers.get(i).join();
        said.put(asked.get(i), a);
        if (a instanceof Long) {
          votes.merge((Long) a, 1, Integer::sum);
        }
      }
      List<Long> confirmed = new ArrayList<>();
      votes.forEach((start, n) -> {
        if (n >= required) {
          confirmed.add(start);
        }
      });
      if (confirmed.size() != 1) {
        throw new IllegalStateException("the start of epoch " + Long.toUnsignedString(epoch) + " is not confirmed by "
            + required + " peers alike: " + said);
      }
      return confirmed.get(0);
    });
  }
}
