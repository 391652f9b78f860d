package io.peerlink.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark entry point runs every part (JMH status benchmarks in-process, the client/server
 * round-trip split, discovery, idle connections with a child process, block intake into the packaged master) at toy sizes and writes a summary.json of the issue's shape.
 * Its figures are not checked: a shared build machine makes them meaningless.
 */
class BenchSmokeTest {

  @Test
  @Timeout(120)
  void everyPartRunsAndTheSummaryHasTheIssuesShape(@TempDir Path out) throws Exception {
    int code = BenchMain.run(BenchConfig.smoke(), Set.of("status", "split", "discovery", "idle", "intake"), out);
    assertEquals(0, code, "bench exit code");

    Map<?, ?> summary = (Map<?, ?>) Json.parse(Files.readString(out.resolve("summary.json")));
    assertInstanceOf(String.class, summary.get("machine"));
    for (String key : List.of("rtt_us", "throughput_rps")) {
      Map<?, ?> byVariant = (Map<?, ?>) summary.get(key);
      assertEquals(Set.of("peerlink_tcp", "raw_tcp"), byVariant.keySet(), key);
      for (Object v : byVariant.values()) {
        assertTrue((Double) v > 0, key + " has a positive figure per variant: " + byVariant);
      }
    }
    Map<?, ?> split = (Map<?, ?>) summary.get("rtt_split_us");
    assertEquals(Set.of("unix", "tcp"), split.keySet());
    for (Object byPair : split.values()) {
      for (String pair : RttSplit.PAIRS) {
        assertTrue((Double) ((Map<?, ?>) byPair).get(pair) > 0, pair + " in rtt_split_us: " + split);
        assertTrue((Double) ((Map<?, ?>) byPair).get(pair + "_switches") > 0, pair + "_switches: " + split);
      }
    }
    List<?> discovery = (List<?>) summary.get("discovery");
    assertEquals(2, discovery.size(), "10 peers, with and without hung ones");
    for (Object o : discovery) {
      Map<?, ?> row = (Map<?, ?>) o;
      assertEquals(10.0, row.get("peers"));
      assertTrue(Set.of(0.0, 1.0).contains(row.get("hung")), "hung: " + row);
      assertEquals((double) BenchConfig.smoke().queryTimeout().toMillis(), row.get("timeout_ms"));
      assertTrue((Double) row.get("decision_ms") > 0, "decision_ms: " + row);
    }
    Map<?, ?> hungRow = (Map<?, ?>) discovery.stream().filter(r -> ((Map<?, ?>) r).get("hung").equals(1.0))
        .findFirst().orElseThrow();
    assertTrue((Double) hungRow.get("decision_ms") >= BenchConfig.smoke().queryTimeout().toMillis(),
        "a round with a hung peer waits for the query timeout: " + hungRow);
    Map<?, ?> idle = (Map<?, ?>) summary.get("idle_connections");
    assertEquals((double) BenchConfig.smoke().idleCount(), idle.get("count"));
    assertNotNull(idle.get("rtt_us"));
    assertNotNull(idle.get("heap_mb"));
    Map<?, ?> intake = (Map<?, ?>) summary.get("intake");
    assertNotNull(intake, "the intake part against the packaged master: " + summary.keySet());
    for (String key : List.of("commits_per_rep", "commits_per_s", "fdatasync_per_s", "ratio", "commits_per_fsync")) {
      assertTrue(intake.get(key) instanceof Double d && d > 0, key + " in intake: " + intake);
    }
  }

  @Test
  void badArgumentsAreRefusedWithWhatWasWrong() {
    assertTrue(refusal("--only", "everything").contains("'everything'"));
    assertTrue(refusal("--variants", "carrier_pigeon").contains("'carrier_pigeon'"));
    assertTrue(refusal("--out").contains("--out needs a value"));
    assertTrue(refusal("--reps", "0").contains("--reps '0': expected a whole number 1-100"));
    assertTrue(refusal("--reps", "many").contains("--reps 'many'"));
    assertTrue(refusal("--fast").contains("'--fast'"));
  }

  private static String refusal(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> BenchMain.run(args)).getMessage();
  }
}
