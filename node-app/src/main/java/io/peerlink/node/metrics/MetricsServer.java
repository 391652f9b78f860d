package io.peerlink.node.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.peerlink.node.config.MetricsSettings;
import io.peerlink.node.role.StartupException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP endpoint on {@code metrics_bind:metrics_port}, on the JDK's built-in server:
 * <ul>
 *   <li>{@code GET /metrics}: every meter, in the Prometheus text format, or OpenMetrics when the
 *       {@code Accept} header asks for {@code application/openmetrics-text};</li>
 *   <li>{@code GET /health/live}: 200 while the process serves;</li>
 *   <li>{@code GET /health/ready}: 200 when {@link Readiness} says ready, else 503; a JSON body
 *       with the state and why;</li>
 *   <li>any other path: 404; any other method: 405.</li>
 * </ul>
 * Two daemon threads serve requests: a scrape reads counters, it never waits on the node.
 */
public final class MetricsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final NodeMetrics metrics;
  private final Readiness readiness;
  private boolean closed;

  private MetricsServer(HttpServer server, ExecutorService executor, NodeMetrics metrics, Readiness readiness) {
    this.server = server;
    this.executor = executor;
    this.metrics = metrics;
    this.readiness = readiness;
  }

  /**
   * Binds and starts serving.
   *
   * @throws StartupException naming {@code metrics_port} and the address when it cannot bind (in
   *     use, not an address of this machine)
   */
  public static MetricsServer start(MetricsSettings settings, NodeMetrics metrics, Readiness readiness)
      throws StartupException {
    InetSocketAddress address = new InetSocketAddress(settings.bind(), settings.port());
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new StartupException("metrics_port: cannot listen on " + settings.bind() + ":" + settings.port() + " ("
          + "metrics_bind:metrics_port): " + e.getMessage() + "; choose another metrics_port or set enable_metrics"
          + " = false", e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "peerlink-metrics-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    MetricsServer s = new MetricsServer(server, executor, metrics, readiness);
    server.createContext("/", s::handle);
    server.setExecutor(executor);
    server.start();
    LOG.info("metrics: serving http://{}/metrics, /health/live and /health/ready (metrics_bind:metrics_port)",
        hostPort(s.address()));
    return s;
  }

  /** Where it listens, with the real port when {@code metrics_port} was 0. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code http://host:port}, for log lines and the demo. */
  public String url() {
    return "http://" + hostPort(address());
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, JSON_TYPE, error("method " + method + " not allowed; use GET"));
        return;
      }
      switch (exchange.getRequestURI().getPath()) {
        case "/metrics": {
          Exposition format = Exposition.forAccept(exchange.getRequestHeaders().getFirst("Accept"));
          send(exchange, 200, format.contentType(), metrics.scrape(format));
          break;
        }
        case "/health/live":
          send(exchange, 200, JSON_TYPE, JSON.createObjectNode().put("status", "live").toString());
          break;
        case "/health/ready": {
          Readiness.Verdict v = readiness.check();
          send(exchange, v.ready() ? 200 : 503, JSON_TYPE, verdictJson(v));
          break;
        }
        default:
          send(exchange, 404, JSON_TYPE, error("no such path: " + exchange.getRequestURI().getPath()
              + "; this endpoint serves /metrics, /health/live and /health/ready"));
      }
    } catch (RuntimeException e) {
      LOG.warn("metrics: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString(), e);
      throw e;
    }
  }

  static String verdictJson(Readiness.Verdict v) {
    ObjectNode o = JSON.createObjectNode();
    o.put("status", v.ready() ? "ready" : "not ready");
    o.put("state", v.state().orElse(null));
    v.why().forEach(o.putArray("why")::add);
    o.put("sync", v.sync().orElse(null));
    o.put("store", v.store().orElse(null));
    return o.toString();
  }

  private static String error(String message) {
    return JSON.createObjectNode().put("error", message).toString();
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops accepting and serving; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }
}
