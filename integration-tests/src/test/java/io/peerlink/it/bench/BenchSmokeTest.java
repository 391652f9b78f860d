package io.peerlink.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark entry point runs every part (JMH status benchmarks in-process, the client/server
 * round-trip split, discovery, idle connections with a child process; sync and flood against
 * packaged nodes) at toy sizes and writes a summary.json of the issue's shape.
 * Its figures are not checked: a shared build machine makes them meaningless.
 */
class BenchSmokeTest {

  @Test
  @Timeout(120)
  void everyPartRunsAndTheSummaryHasTheIssuesShape(@TempDir Path out) throws Exception {
    int code = BenchMain.run(BenchConfig.smoke(), Set.of("status", "split", "discovery", "idle"), out);
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
  }

  /**
   * The sync part at smoke size against packaged nodes: an empty node catches up from three
   * peers (its master holds the tip) for small and 100 KB blocks, with the default fetching and
   * with parallelism 1, the disk's limits are measured, and block intake runs; every field is
   * there and positive, and the old top-level {@code intake} object has moved under {@code sync}.
   */
  @Test
  @Timeout(240)
  void syncPartCatchesUpAnEmptyNodeAndMeasuresTheLimits(@TempDir Path out) throws Exception {
    assertEquals(0, BenchMain.run(BenchConfig.smoke(), Set.of("sync"), out), "bench exit code");

    Map<?, ?> summary = (Map<?, ?>) Json.parse(Files.readString(out.resolve("summary.json")));
    assertNull(summary.get("intake"), "intake lives under sync now: " + summary.keySet());
    Map<?, ?> sync = (Map<?, ?>) summary.get("sync");
    assertNotNull(sync, "the sync part: " + summary.keySet());
    List<?> catchUp = (List<?>) sync.get("catch_up");
    assertEquals(Set.of("small/default", "small/parallelism_1", "100KB/default", "100KB/parallelism_1"),
        catchUp.stream().map(r -> ((Map<?, ?>) r).get("blocks") + "/" + ((Map<?, ?>) r).get("variant"))
            .collect(Collectors.toSet()));
    for (Object o : catchUp) {
      Map<?, ?> row = (Map<?, ?>) o;
      for (String key : List.of("count", "block_bytes", "blocks_per_s", "mb_per_s", "seconds", "first_block_s")) {
        assertTrue(row.get(key) instanceof Double d && d > 0, key + " in catch_up: " + row);
      }
      assertTrue((Double) row.get("block_bytes") > (Double) row.get("raw_block_bytes"), "block_bytes: " + row);
    }
    Map<?, ?> disk = (Map<?, ?>) sync.get("disk");
    for (String key : List.of("sequential_write_mb_per_s", "sequential_write_bytes", "fdatasync_per_s")) {
      assertTrue(disk.get(key) instanceof Double d && d > 0, key + " in disk: " + disk);
    }
    assertInstanceOf(Boolean.class, sync.get("parallel_key_ignored"), "the node's word on the key: " + sync);
    Map<?, ?> intake = (Map<?, ?>) sync.get("intake");
    assertNotNull(intake, "the intake part against the packaged master: " + sync.keySet());
    for (String key : List.of("commits_per_rep", "commits_per_s", "fdatasync_per_s", "ratio", "commits_per_fsync")) {
      assertTrue(intake.get(key) instanceof Double d && d > 0, key + " in intake: " + intake);
    }
    List<?> targets = (List<?>) summary.get("targets");
    assertEquals(4, targets.stream().map(t -> (String) ((Map<?, ?>) t).get("name"))
        .filter(n -> n.startsWith("catch-up") || n.startsWith("intake")).count(), "the sync targets: " + targets);
  }

  /**
   * The flood part at smoke size against the packaged master: the honest peer is answered under
   * every flood (functional: every probe answered right, whatever the latency), the held flood
   * really filled the strangers' share of the port, and summary.json carries every field.
   */
  @Test
  @Timeout(240)
  void floodPartServesTheHonestPeerUnderEveryFlood(@TempDir Path out) throws Exception {
    assertEquals(0, BenchMain.run(BenchConfig.smoke(), Set.of("flood"), out), "bench exit code");

    Map<?, ?> summary = (Map<?, ?>) Json.parse(Files.readString(out.resolve("summary.json")));
    Map<?, ?> flood = (Map<?, ?>) summary.get("flood");
    FloodPlan plan = FloodPlan.of(BenchConfig.smoke());
    assertEquals((double) plan.chainBlocks(), flood.get("chain_blocks"));
    assertEquals("127.0.0.2", flood.get("honest_address"));
    Map<?, ?> phases = (Map<?, ?>) flood.get("phases");
    assertEquals(List.of("baseline", "held_connections", "unread_ranges", "range_readers"), List.<Object>copyOf(phases.keySet()));
    for (Map.Entry<?, ?> e : phases.entrySet()) {
      Map<?, ?> p = (Map<?, ?>) e.getValue();
      assertTrue((Double) p.get("honest_requests") > 0, e.getKey() + ": the honest peer asked: " + p);
      assertEquals(p.get("honest_requests"), p.get("honest_ok"), e.getKey() + ": every honest probe answered right: " + p);
      assertEquals(List.of(), (List<?>) p.get("honest_failures"), e.getKey().toString());
      for (String key : List.of("honest_p50_ms", "honest_p99_ms", "honest_max_ms", "rss_mb", "rss_peak_mb",
          "heap_committed_mb", "heap_used_mb")) {
        assertTrue((Double) p.get(key) > 0, e.getKey() + " " + key + ": " + p);
      }
    }
    Map<?, ?> held = (Map<?, ?>) ((Map<?, ?>) phases.get("held_connections")).get("counts");
    double strangersSlots = 48 - 8; // the smoke plan's max_connections - reserved_for_peers
    assertEquals(strangersSlots, held.get("admitted"), "the held flood took every stranger's slot: " + held);
    assertEquals(plan.heldConnections() - strangersSlots, held.get("refused_over_limit"), "and was refused the rest");
    Map<?, ?> unread = (Map<?, ?>) ((Map<?, ?>) phases.get("unread_ranges")).get("counts");
    assertTrue((Double) unread.get("requests_written") > 0, "the unread flood wrote requests: " + unread);
    Map<?, ?> readers = (Map<?, ?>) ((Map<?, ?>) phases.get("range_readers")).get("counts");
    assertTrue((Double) readers.get("answer_mb_per_s") > 0, "the readers read answers: " + readers);
    for (String key : List.of("unread_bound_mb", "rss_after_close_mb", "heap_committed_after_close_mb")) {
      assertTrue((Double) flood.get(key) > 0, key + ": " + flood);
    }
    List<?> targets = (List<?>) summary.get("targets");
    assertTrue(targets.stream().map(t -> (String) ((Map<?, ?>) t).get("name")).filter(n -> n.startsWith("flood"))
        .count() >= 9, "the flood targets are judged: " + targets);
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
