package io.peerlink.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A real Prometheus server (the {@code prometheus} program of Debian's package) of the test's own:
 * its config, its storage and its log in a directory the test owns, listening on a free loopback
 * port, scraping the given targets every 500 ms. It is read through its own HTTP query API.
 * Closing it stops the process (SIGTERM, then SIGKILL).
 */
final class PrometheusServer implements AutoCloseable {

  static final Duration SCRAPE_INTERVAL = Duration.ofMillis(500);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeProcess process;
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(NodeProcess process, String base) {
    this.process = process;
    this.base = base;
  }

  /** Why the test cannot run here, or null when {@code prometheus} and {@code promtool} are on the PATH. */
  static String unavailableReason() {
    for (String program : List.of("prometheus", "promtool")) {
      if (which(program) == null) {
        return program + " is not installed (Debian's prometheus package; .ci/run installs it with apt-get)";
      }
    }
    return null;
  }

  static Path which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Starts Prometheus in {@code dir} and waits until it is ready.
   *
   * @param targets each job label's {@code host:port}, scraped at {@code /metrics}
   */
  static PrometheusServer start(Path dir, Map<String, String> targets) throws Exception {
    int port = LoopbackPorts.pick();
    StringBuilder yaml = new StringBuilder("global:\n  scrape_interval: " + SCRAPE_INTERVAL.toMillis() + "ms\n"
        + "  scrape_timeout: " + SCRAPE_INTERVAL.toMillis() * 4 / 5 + "ms\nscrape_configs:\n  - job_name: peerlink\n"
        + "    static_configs:\n");
    targets.forEach((node, target) -> yaml.append("      - targets: ['").append(target).append("']\n")
        .append("        labels: {node: '").append(node).append("'}\n"));
    Path config = Files.writeString(dir.resolve("prometheus.yml"), yaml.toString());
    Files.createDirectories(dir.resolve("prometheus-data"));
    NodeProcess p = NodeProcess.startCommand("prometheus", List.of(which("prometheus").toString(),
        "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
    PrometheusServer server = new PrometheusServer(p, "http://127.0.0.1:" + port);
    try {
      server.awaitReady(Duration.ofSeconds(60));
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitReady(Duration timeout) {
    try {
      await("prometheus ready").atMost(timeout).pollInterval(Duration.ofMillis(100))
          .ignoreExceptionsInstanceOf(IOException.class) // not listening yet (refused, reset)
          .failFast("prometheus exited at start", () -> !process.isAlive())
          .until(() -> get("/-/ready").statusCode() == 200);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError(e.getMessage() + ":\n" + process.output(), e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** One instant query through {@code /api/v1/query}: the result vector. */
  JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("query " + promql + " failed: " + r.statusCode() + " " + r.body());
    }
    return body.path("data").path("result");
  }

  /** The query's single value, or NaN when it has no result. */
  double value(String promql) throws IOException, InterruptedException {
    JsonNode result = query(promql);
    if (result.size() == 0) {
      return Double.NaN;
    }
    if (result.size() > 1) {
      throw new AssertionError(promql + " has " + result.size() + " series, expected one: " + result);
    }
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  /** Polls the query until its single value passes {@code test}; fails with the last value at the deadline. */
  double awaitValue(String promql, Predicate<Double> test, Duration timeout) throws Exception {
    try {
      return await(promql).atMost(timeout).pollInterval(SCRAPE_INTERVAL.dividedBy(2)) // a new sample each scrape
          .until(() -> value(promql), test);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; targets: " + get("/api/v1/targets").body(), e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
