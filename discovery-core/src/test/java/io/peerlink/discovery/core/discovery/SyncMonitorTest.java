package io.peerlink.discovery.core.discovery;

import static io.peerlink.discovery.core.discovery.Outcomes.answered;
import static io.peerlink.discovery.core.discovery.Outcomes.result;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SyncMonitorTest {

  private final DiscoveryOptions options = DiscoveryOptions.builder().checkInterval(Duration.ofMillis(10)).build();
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final AtomicReference<SyncStatus> next = new AtomicReference<>();
  private final List<String> changes = new ArrayList<>();

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  /** The status of a node at {@code local} in epoch 5 whose best peer is at {@code network}. */
  private SyncStatus at(long local, long network) {
    return SyncChecker.decide(result(new MasterStatus(5, local), answered(0, 5, network)), options);
  }

  private SyncMonitor monitor() {
    SyncMonitor m = new SyncMonitor(() -> CompletableFuture.completedFuture(next.get()), options, scheduler, false);
    m.addListener((previous, current) -> {
      synchronized (changes) {
        changes.add((previous == null ? "-" : previous.state().kind()) + "->" + current.state().kind());
      }
    });
    return m;
  }

  private SyncStatus check(SyncMonitor m, SyncStatus raw) throws Exception {
    next.set(raw);
    return m.checkNow().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aGapWanderingAroundTheThresholdDoesNotFlap() throws Exception {
    SyncMonitor m = monitor();
    assertInstanceOf(SyncState.Ready.class, check(m, at(100, 104)).state());
    for (long gap : new long[] {6, 4, 8, 5, 10, 3, 7}) {
      SyncStatus raw = at(100, 100 + gap);
      SyncStatus reported = check(m, raw);
      assertInstanceOf(SyncState.Ready.class, reported.state(), "gap " + gap + " is within threshold + hysteresis");
      assertTrue(reported.ready());
      assertEquals(gap, reported.blockGap());
    }
    assertEquals(List.of("-->Ready"), changes);

    assertEquals(new SyncState.SyncingCommits(111, 100), check(m, at(100, 111)).state(), "gap 11 > 5 + 5");
    assertInstanceOf(SyncState.SyncingCommits.class, check(m, at(100, 107)).state(), "leaves syncing only within 5");
    assertInstanceOf(SyncState.Ready.class, check(m, at(102, 107)).state());
    assertEquals(List.of("-->Ready", "Ready->SyncingCommits", "SyncingCommits->Ready"), changes);
  }

  @Test
  void aheadHasTheSameBandAndEpochChangesAreImmediate() throws Exception {
    SyncMonitor m = monitor();
    check(m, at(100, 100));
    assertInstanceOf(SyncState.Ready.class, check(m, at(108, 100)).state(), "8 ahead stays Ready");
    assertInstanceOf(SyncState.Ahead.class, check(m, at(111, 100)).state());
    assertInstanceOf(SyncState.Ahead.class, check(m, at(106, 100)).state());
    assertInstanceOf(SyncState.Ready.class, check(m, at(105, 100)).state());

    SyncStatus epoch = SyncChecker.decide(result(new MasterStatus(5, 100), answered(0, 6, 101)), options);
    assertEquals(new SyncState.SyncingEpoch(6, 5), check(m, epoch).state());
    assertEquals(List.of("-->Ready", "Ready->Ahead", "Ahead->Ready", "Ready->SyncingEpoch"), changes);
  }

  @Test
  void hysteresisZeroReportsTheRawDecision() {
    DiscoveryOptions none = options.toBuilder().hysteresisBlocks(0).build();
    SyncStatus ready = at(100, 100);
    SyncStatus raw = at(100, 106);
    assertEquals(raw, SyncMonitor.applyHysteresis(ready, raw, none));
    assertEquals(raw, SyncMonitor.applyHysteresis(null, raw, options));
  }

  @Test
  void checksOnScheduleTellsListenersOnceAndStopsWhenClosed() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    CountDownLatch enoughChecks = new CountDownLatch(5);
    SyncStatus ready = at(100, 100);
    SyncMonitor m = new SyncMonitor(() -> {
      checks.incrementAndGet();
      enoughChecks.countDown();
      return CompletableFuture.completedFuture(ready);
    }, options, scheduler, false);
    AtomicInteger told = new AtomicInteger();
    m.addListener((p, c) -> {
      assertNull(p);
      told.incrementAndGet();
    });
    m.addListener((p, c) -> {
      throw new IllegalStateException("a broken listener");
    });
    m.start();
    assertTrue(enoughChecks.await(5, TimeUnit.SECONDS), "checks run every interval");
    assertEquals(1, told.get(), "the state never changed after the first report");
    assertEquals(ready.state(), m.current().orElseThrow().state());

    m.close();
    try {
      await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .until(() -> scheduler.getQueue().isEmpty());
    } catch (ConditionTimeoutException stillQueued) {
      // what is left must be cancelled: checked below
    }
    assertTrue(scheduler.getQueue().isEmpty() || scheduler.getQueue().stream().allMatch(r ->
        ((java.util.concurrent.Future<?>) r).isCancelled()), "nothing left scheduled after close");
    assertTrue(m.checkNow().isCompletedExceptionally());
  }
}
