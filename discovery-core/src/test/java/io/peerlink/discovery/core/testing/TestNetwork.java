package io.peerlink.discovery.core.testing;

import io.peerlink.discovery.core.catchup.BlockSink;
import io.peerlink.discovery.core.catchup.CatchUp;
import io.peerlink.discovery.core.catchup.CatchUpListener;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.discovery.PeerBan;
import io.peerlink.discovery.core.discovery.PeerDiscovery;
import io.peerlink.discovery.core.discovery.SyncChecker;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.discovery.core.server.Responder;
import io.peerlink.transport.api.Connection;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.FrameHandler;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.Transport;
import io.peerlink.transport.api.TransportRegistry;
import io.peerlink.transport.api.testing.InMemoryTransport;
import io.peerlink.transport.api.testing.InMemoryTransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Masters on the in-memory transport: real connections, real frames, a real {@link Responder};
 * plus peers that misbehave at the byte level.
 */
public final class TestNetwork implements AutoCloseable {

  public final TransportRegistry registry = new TransportRegistry().register(new InMemoryTransportProvider());
  private final String prefix = "d" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private final List<Listener> listeners = new ArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final Map<Endpoint, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Transport transport;

  public TestNetwork() throws Exception {
    transport = registry.transportFor(Endpoint.parse("mem://probe"));
  }

  public Endpoint endpoint(String name) {
    return Endpoint.parse("mem://" + prefix + name);
  }

  /** A peer master's TCP-like port: read-only. */
  public Endpoint peer(String name, MasterState state) throws Exception {
    return listen(name, Responder.readOnly(state));
  }

  /** The node's own master: full access. */
  public Endpoint local(String name, MasterState state) throws Exception {
    return listen(name, Responder.fullAccess(state));
  }

  /** A listener whose every frame goes to {@code handler}. */
  public Endpoint raw(String name, FrameHandler handler) throws Exception {
    return listen(name, c -> handler);
  }

  /** Accepts and reads, never answers. */
  public Endpoint hung(String name) throws Exception {
    return raw(name, (c, f) -> { });
  }

  /** Answers every request with a whole frame that is not protobuf. */
  public Endpoint garbage(String name) throws Exception {
    return raw(name, (c, f) -> c.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
  }

  /** Answers with a frame header announcing 10 bytes, sends 2 of them, and closes. */
  public Endpoint closesMidFrame(String name) throws Exception {
    return raw(name, (c, f) -> {
      InMemoryTransport.sendRaw(c, new byte[] {0, 0, 0, 10, 0x32, 0x02});
      c.close();
    });
  }

  /** Closes {@code c} when this network closes, before its listeners; returns it. */
  public <T extends AutoCloseable> T own(T c) {
    owned.add(c);
    return c;
  }

  /**
   * A catch-up over {@code discovery} into the node's own master (its local master, over a client
   * this network closes).
   */
  public CatchUp catchUp(PeerDiscovery discovery) {
    MasterClient localClient = own(new MasterClient(registry, discovery.localMaster(), java.time.Duration.ofSeconds(5)));
    return new CatchUp(new SyncChecker(discovery), BlockSink.syncBlocksTo(localClient));
  }

  /** {@link #catchUp(PeerDiscovery)}, adding every peer it bans to {@code bans}. */
  public CatchUp catchUp(PeerDiscovery discovery, List<PeerBan> bans) {
    CatchUp catchUp = catchUp(discovery);
    catchUp.addListener(new CatchUpListener() {
      @Override
      public void onPeerBanned(PeerBan ban) {
        bans.add(ban);
      }
    });
    return catchUp;
  }

  /** An endpoint nothing listens on. */
  public Endpoint refused(String name) {
    return endpoint(name);
  }

  /** How many connections the master at this endpoint accepted. */
  public int connections(Endpoint endpoint) {
    AtomicInteger n = connections.get(endpoint);
    return n == null ? 0 : n.get();
  }

  private Endpoint listen(String name, ConnectionHandler handler) throws Exception {
    Endpoint e = endpoint(name);
    AtomicInteger count = connections.computeIfAbsent(e, k -> new AtomicInteger());
    ConnectionHandler counting = (Connection c) -> {
      count.incrementAndGet();
      return handler.onConnect(c);
    };
    listeners.add(transport.listen(e, ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN), counting));
    return e;
  }

  @Override
  public void close() {
    IllegalStateException failed = null;
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        failed = failed == null ? new IllegalStateException("closing " + c + " failed", e) : failed;
      }
    }
    for (Listener l : listeners) {
      l.close();
    }
    registry.close();
    if (failed != null) {
      throw failed; // after the listeners are closed, so one failure leaks nothing
    }
  }
}
