package io.peerlink.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.discovery.core.discovery.PeerOutcome;
import io.peerlink.discovery.core.discovery.SyncStatus;
import io.peerlink.transport.api.Endpoint;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.List;

/**
 * The commands' {@code --json} output: one JSON object on one line of standard output, with every
 * field the text shows, built with Jackson. Epochs and blocks are unsigned 64-bit numbers and are
 * written as such (never negative).
 */
final class JsonOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonOutput() {
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Writes the object as one line and flushes. */
  static void print(PrintWriter out, ObjectNode o) {
    out.println(o.toString());
    out.flush();
  }

  /** An unsigned 64-bit value as a JSON number. */
  static BigInteger unsigned(long v) {
    return new BigInteger(Long.toUnsignedString(v));
  }

  /** {@code {"error": message, "problems": [...]}}: a config that cannot be used, or a failure. */
  static ObjectNode error(String message, List<String> problems) {
    ObjectNode o = object().put("error", message);
    if (!problems.isEmpty()) {
      problems.forEach(o.putArray("problems")::add);
    }
    return o;
  }

  /** check-sync's answer: the decision, both tips, and every master's outcome. */
  static ObjectNode syncStatus(SyncStatus s, int exitCode) {
    ObjectNode o = object();
    o.put("state", s.state().kind());
    o.put("detail", s.state().toString());
    o.put("ready", s.ready());
    o.put("exit_code", exitCode);
    o.putObject("local").put("epoch", unsigned(s.localEpoch())).put("block", unsigned(s.localBlock()));
    ObjectNode best = o.putObject("best").put("epoch", unsigned(s.networkEpoch())).put("block", unsigned(s.networkBlock()));
    best.put("peer", s.bestPeer().map(Endpoint::toString).orElse(null));
    o.put("gap", s.blockGap());
    o.put("epochs_match", s.epochsMatch());
    o.put("isolated", s.isolated());
    o.put("peers_answered", s.peersAnswered());
    o.put("peers_configured", s.discovery().peers().size());
    o.put("policy", s.discovery().policy().toString());
    o.put("elapsed_ms", s.discovery().elapsed().toMillis());
    o.set("local_master", outcome(s.discovery().local()));
    ArrayNode peers = o.putArray("peers");
    s.discovery().peers().forEach(p -> peers.add(outcome(p)));
    o.put("summary", s.summary());
    return o;
  }

  /** One master's outcome: {@code {"peer", "outcome", "latency_ms", "epoch", "block", "error"}}. */
  static ObjectNode outcome(PeerOutcome p) {
    ObjectNode o = object();
    o.put("peer", p.peer().toString());
    o.put("outcome", p.kind().name().toLowerCase(java.util.Locale.ROOT));
    o.put("latency_ms", p.latency().toNanos() / 1e6);
    MasterStatus st = p.status().orElse(null);
    o.put("epoch", st == null ? null : unsigned(st.epoch()));
    o.put("block", st == null ? null : unsigned(st.lastBlockNumber()));
    o.put("error", p.answered() ? null : p.reason());
    return o;
  }
}
