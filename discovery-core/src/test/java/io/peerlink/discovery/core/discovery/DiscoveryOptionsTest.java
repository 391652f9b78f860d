package io.peerlink.discovery.core.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class DiscoveryOptionsTest {

  @Test
  void defaultsAreTheSeeds() {
    DiscoveryOptions d = DiscoveryOptions.defaults();
    assertEquals(Duration.ofSeconds(5), d.queryTimeout());
    assertEquals(Duration.ofSeconds(10), d.fetchTimeout());
    assertEquals(Duration.ofSeconds(5), d.checkInterval());
    assertEquals(5, d.gapThreshold());
    assertEquals(5, d.hysteresisBlocks());
    assertEquals(SelectionPolicy.highest(), d.selectionPolicy());
    assertEquals(0, d.minimumPeers());
    assertEquals(List.of(BackoffStep.of(3, Duration.ofSeconds(10)), BackoffStep.of(5, Duration.ofSeconds(30)),
        BackoffStep.of(10, Duration.ofSeconds(60))), d.backoffSteps());
    assertEquals(256, d.batchSize());
    assertEquals(Duration.ofSeconds(30), d.noProgressTimeout());
  }

  @Test
  void builderChangesOneValueAndKeepsTheRest() {
    DiscoveryOptions o = DiscoveryOptions.builder().gapThreshold(8).selectionPolicy(SelectionPolicy.quorum(1))
        .minimumPeers(2).build();
    assertEquals(8, o.gapThreshold());
    assertEquals(SelectionPolicy.quorum(1), o.selectionPolicy());
    assertEquals(2, o.minimumPeers());
    assertEquals(256, o.batchSize());
    assertEquals(o, o.toBuilder().build());
  }

  private static void rejected(String option, String value, Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().contains(option) && ex.getMessage().contains(value), ex.getMessage());
  }

  @Test
  void badValuesAreRefusedNamingTheOptionAndTheValue() {
    DiscoveryOptions.Builder b = DiscoveryOptions.builder();
    rejected("queryTimeout", "PT0S", () -> b.queryTimeout(Duration.ZERO));
    rejected("fetchTimeout", "PT-1S", () -> b.fetchTimeout(Duration.ofSeconds(-1)));
    rejected("checkInterval", "null", () -> b.checkInterval(null));
    rejected("gapThreshold", "-1", () -> b.gapThreshold(-1));
    rejected("hysteresisBlocks", "-3", () -> b.hysteresisBlocks(-3));
    rejected("minimumPeers", "-2", () -> b.minimumPeers(-2));
    rejected("batchSize", "0", () -> b.batchSize(0));
    rejected("batchSize", "100000", () -> b.batchSize(100_000));
    rejected("noProgressTimeout", "PT0S", () -> b.noProgressTimeout(Duration.ZERO));
    rejected("backoffSteps", "3 failures", () -> b.backoffSteps(
        List.of(BackoffStep.of(3, Duration.ofSeconds(1)), BackoffStep.of(3, Duration.ofSeconds(2)))));
  }
}
