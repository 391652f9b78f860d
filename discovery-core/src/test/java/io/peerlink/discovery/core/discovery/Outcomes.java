package io.peerlink.discovery.core.discovery;

import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import java.time.Duration;
import java.util.List;

/** Discovery results made by hand, for the units that decide from them. */
final class Outcomes {

  static final Endpoint LOCAL = Endpoint.parse("unix:///tmp/pl-local.sock");

  private Outcomes() {
  }

  static Endpoint peer(int i) {
    return Endpoint.tcp("127.0.0.1", 19200 + i);
  }

  static PeerOutcome answered(int i, long epoch, long block) {
    return PeerOutcome.answered(peer(i), new MasterStatus(epoch, block), Duration.ofMillis(1));
  }

  static PeerOutcome refused(int i) {
    return PeerOutcome.failed(peer(i), PeerOutcome.Kind.REFUSED, "refused: connection refused", Duration.ofMillis(1));
  }

  /** A round with this local state (null: the local master did not answer) and these peers. */
  static DiscoveryResult result(MasterStatus local, SelectionPolicy policy, PeerOutcome... peers) {
    List<PeerOutcome> list = List.of(peers);
    PeerOutcome localOutcome = local == null
        ? PeerOutcome.failed(LOCAL, PeerOutcome.Kind.REFUSED, "refused: no socket", Duration.ofMillis(1))
        : PeerOutcome.answered(LOCAL, local, Duration.ofMillis(1));
    return new DiscoveryResult(list, localOutcome, policy.select(list, list.size()), policy,
        policy.requiredAnswers(list.size()), Duration.ofMillis(2));
  }

  static DiscoveryResult result(MasterStatus local, PeerOutcome... peers) {
    return result(local, SelectionPolicy.highest(), peers);
  }
}
