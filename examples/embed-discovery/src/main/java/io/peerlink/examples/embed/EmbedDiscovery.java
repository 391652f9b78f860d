package io.peerlink.examples.embed;

import io.peerlink.discovery.core.discovery.DiscoveryOptions;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.TransportRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Embeds peerlink's discovery in an application, as the README's "Embedding discovery-core alone"
 * shows: one discovery round against a local master and its peers, and the sync decision.
 *
 * <pre>
 * EmbedDiscovery                         serves three masters itself on 127.0.0.1 (its own at block
 *                                        1000, two peers at 1234) and asks them
 * EmbedDiscovery LOCAL PEER [PEER...]    asks the masters at these endpoints (tcp://host:port or
 *                                        host:port; other schemes need their transport on the class path)
 * </pre>
 *
 * Prints {@code decision: ...} and exits 0 when ready, 3 when behind (as {@code check-sync} does),
 * 1 on a bad argument.
 */
public final class EmbedDiscovery {

  /** The masters served when no endpoints are given: the local one behind its two peers. */
  static final long EPOCH = 5;
  static final long LOCAL_BLOCK = 1000;
  static final long PEER_BLOCK = 1234;

  private EmbedDiscovery() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 1) {
      System.err.println("usage: EmbedDiscovery [LOCAL_MASTER PEER_MASTER...]: give the local master and at least"
          + " one peer, or nothing to serve three masters here; got only " + args[0]);
      System.exit(1);
    }
    SyncStatus status;
    try (TransportRegistry transports = TransportRegistry.installed()) {
      if (args.length == 0) {
        status = againstOwnMasters(transports);
      } else {
        List<Endpoint> peers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
          peers.add(transports.endpoint(args[i]));
        }
        status = decide(transports, transports.endpoint(args[0]), peers);
      }
    }
    System.out.println("decision: " + status.summary());
    System.exit(status.ready() ? 0 : 3);
  }

  /** One discovery round and the decision: the seed's {@code check_sync_status}. */
  public static SyncStatus decide(TransportRegistry transports, Endpoint localMaster, List<Endpoint> peers)
      throws Exception {
    try (PeerDiscovery discovery = new PeerDiscovery(transports, localMaster, peers, DiscoveryOptions.defaults())) {
      return new SyncChecker(discovery).check().get(30, TimeUnit.SECONDS);
    }
  }

  /** Serves a local master and two peers on loopback (discovery-core's server side), then decides. */
  static SyncStatus againstOwnMasters(TransportRegistry transports) throws Exception {
    try (Listener local = serve(transports, new StaticMaster(EPOCH, LOCAL_BLOCK));
         Listener peerA = serve(transports, new StaticMaster(EPOCH, PEER_BLOCK));
         Listener peerB = serve(transports, new StaticMaster(EPOCH, PEER_BLOCK))) {
      return decide(transports, local.endpoint(), List.of(peerA.endpoint(), peerB.endpoint()));
    }
  }

  /** A master's query channel on a free loopback port: read-only, as a master serves its peers. */
  public static Listener serve(TransportRegistry transports, StaticMaster state) throws Exception {
    Endpoint any = Endpoint.parse("tcp://127.0.0.1:0");
    return transports.transportFor(any).listen(any, ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN),
        Responder.readOnly(state));
  }
}
