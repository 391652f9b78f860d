package io.peerlink.it.bench;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.transport.api.ConnectionHandler;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.FrameFormat;
import io.peerlink.transport.api.ListenOptions;
import io.peerlink.transport.api.Listener;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * peerlink's side: a listener of the installed transport for the endpoint's scheme, answered by
 * {@link StatusHandlers#responder()} (discovery-core's Responder); clients are discovery-core's
 * {@link MasterClient}s, what a peerlink application uses, for one request at a time (the caller
 * waits on the future, completed by the transport's I/O thread) and for pipelining alike. Server
 * and clients use two separate registries, so they have separate transports and I/O threads, as
 * two processes would.
 */
final class PeerlinkStatusServer implements StatusServer {

  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final TransportRegistry serverSide;
  private final TransportRegistry clientSide;
  private final Listener listener;
  private final List<MasterClient> clients = new CopyOnWriteArrayList<>();

  private PeerlinkStatusServer(TransportRegistry serverSide, TransportRegistry clientSide, Listener listener) {
    this.serverSide = serverSide;
    this.clientSide = clientSide;
    this.listener = listener;
  }

  static Endpoint tcpEndpoint() {
    return Endpoint.tcp("127.0.0.1", 0);
  }

  static Endpoint unixEndpoint(Path dir) {
    return Endpoint.unix(dir.resolve("pl.sock"));
  }

  /** Listens on {@code endpoint} with the status responder. */
  static PeerlinkStatusServer start(Endpoint endpoint) throws IOException {
    return start(endpoint, StatusHandlers.responder(), ListenOptions.of(FrameFormat.UINT32_BIG_ENDIAN));
  }

  /** Listens on {@code endpoint} with any handler: idle-connection counting, hung peers. */
  static PeerlinkStatusServer start(Endpoint endpoint, ConnectionHandler handler, ListenOptions options)
      throws IOException {
    TransportRegistry serverSide = TransportRegistry.installed();
    TransportRegistry clientSide = TransportRegistry.installed();
    try {
      Listener l = serverSide.transportFor(endpoint).listen(endpoint, options, handler);
      return new PeerlinkStatusServer(serverSide, clientSide, l);
    } catch (IOException | RuntimeException e) {
      serverSide.close();
      clientSide.close();
      throw e;
    }
  }

  Endpoint endpoint() {
    return listener.endpoint();
  }

  @Override
  public StatusClient connect(boolean pipelined) throws Exception {
    return connectTo(listener.endpoint(), pipelined);
  }

  /** A peerlink client (MasterClient) to any status server: this one, or a raw one. */
  StatusClient connectTo(Endpoint endpoint, boolean pipelined) throws Exception {
    MasterClient mc = new MasterClient(clientSide, endpoint, REQUEST_TIMEOUT); // one model, pipelined or not
    clients.add(mc);
    PeerlinkStatusClient client = new PeerlinkStatusClient(mc);
    client.call(); // connects now, not inside the first measured call
    return client;
  }

  @Override
  public void close() {
    for (MasterClient c : clients) {
      c.close();
    }
    clientSide.close();
    listener.close();
    serverSide.close();
  }

  private static final class PeerlinkStatusClient implements StatusClient {
    private final MasterClient client;

    PeerlinkStatusClient(MasterClient client) {
      this.client = client;
    }

    @Override
    public long call() throws Exception {
      return StatusPayload.check(client.currentEpoch().get(10, TimeUnit.SECONDS));
    }

    @Override
    public void callAsync(BiConsumer<Long, Throwable> done) {
      client.currentEpoch().whenComplete((epoch, err) -> {
        if (err != null) {
          done.accept(null, err);
          return;
        }
        try {
          done.accept(StatusPayload.check(epoch), null);
        } catch (IOException e) {
          done.accept(null, e);
        }
      });
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
