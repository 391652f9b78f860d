package io.peerlink.it.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One scrape of a node's {@code /metrics} (Prometheus text format): the master's own count of
 * what the floods did to it (connections open and refused, reads paused, error answers) and its
 * JVM's memory, read the way an operator's Prometheus would read them.
 */
final class MasterMetrics {

  private final String text;

  private MasterMetrics(String text) {
    this.text = text;
  }

  /** Scrapes {@code url} once (2 s to connect, 10 s to read). */
  static MasterMetrics scrape(URI url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
    c.setConnectTimeout(2_000);
    c.setReadTimeout(10_000);
    try (InputStream in = c.getInputStream()) {
      if (c.getResponseCode() != 200) {
        throw new IOException(url + " answered HTTP " + c.getResponseCode());
      }
      return new MasterMetrics(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      c.disconnect();
    }
  }

  /**
   * The sum of every series of {@code name} whose labels include all of {@code labels} (each
   * written {@code key="value"}); 0 when there is none (a counter not yet incremented).
   */
  double sum(String name, String... labels) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String series = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      if (!series.equals(name) || !hasAll(line, labels)) {
        continue;
      }
      total += Double.parseDouble(line.substring(space + 1));
    }
    return total;
  }

  /** A metric of the peer port ({@code listener="peer_rpc_port"}), with further labels. */
  double peerPort(String name, String... labels) {
    String[] all = new String[labels.length + 1];
    all[0] = "listener=\"peer_rpc_port\"";
    System.arraycopy(labels, 0, all, 1, labels.length);
    return sum(name, all);
  }

  private static boolean hasAll(String line, String[] labels) {
    for (String l : labels) {
      if (!line.contains(l)) {
        return false;
      }
    }
    return true;
  }
}
