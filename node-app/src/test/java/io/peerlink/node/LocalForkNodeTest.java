package io.peerlink.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.peerlink.discovery.core.catchup.CatchUpResult;
import io.peerlink.discovery.core.catchup.ChainFork;
import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.discovery.core.protocol.CommittedBlock;
import io.peerlink.discovery.core.protocol.CommittedEpochData;
import io.peerlink.discovery.core.protocol.TransactionExe;
import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.role.NodeRole;
import io.peerlink.transport.api.Endpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A whole node whose own master holds a chain that forks from its three peers' after block 5: the
 * node role is told LOCAL_FORKED with the fork point, stays not Ready, says so at ERROR once
 * however often it re-checks, and its metrics show it. And one whose own chain forks within the
 * gap threshold of the tip, which catch-up never looks at: the check of its own tip takes its
 * Ready back; while an honest node keeps its Ready through several such checks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalForkNodeTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LocalNodes local;
  private final Logger roleLog = (Logger) LoggerFactory.getLogger(NodeRole.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger catchUpLog = (Logger) LoggerFactory.getLogger("io.peerlink.discovery.core.catchup.CatchUp");
  private final ListAppender<ILoggingEvent> catchUpLines = new ListAppender<>();
  private Level catchUpLevel;

  @BeforeEach
  void setUp() throws Exception {
    local = new LocalNodes();
    lines.start();
    roleLog.addAppender(lines);
    catchUpLevel = catchUpLog.getLevel();
    catchUpLog.setLevel(Level.DEBUG); // the own-tip check says CONFIRMED at DEBUG
    catchUpLines.start();
    catchUpLog.addAppender(catchUpLines);
  }

  @AfterEach
  void tearDown() throws Exception {
    roleLog.detachAppender(lines);
    catchUpLog.detachAppender(catchUpLines);
    catchUpLog.setLevel(catchUpLevel);
    local.close();
  }

  private List<String> errors() {
    return lines.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private long tipChecks(String outcome) {
    return catchUpLines.list.stream().filter(e -> e.getFormattedMessage().startsWith("[CATCH-UP] Own tip check "
        + outcome)).count();
  }

  private static double sample(String metrics, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    assertTrue(m.find(), series + " in " + metrics);
    return Double.parseDouble(m.group(1));
  }

  /** Three master-only peers holding blocks 1..60 of the synthetic chain; their ports. */
  private int[] honestPeers() throws Exception {
    int[] ports = LoopbackPorts.pick(3);
    for (int i = 0; i < 3; i++) {
      PeerlinkNode p = local.start(i, ports[i], List.of(), PeerlinkNode.Roles.MASTER_ONLY);
      local.feed(p, 1, 1, 60);
    }
    return ports;
  }

  /** Commits {@code from..to} of epoch 1 with transactions of their own: another chain than the synthetic one. */
  private void feedForked(PeerlinkNode node, long from, long to) throws Exception {
    List<CommittedEpochData> commits = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(("forked " + i).getBytes(StandardCharsets.UTF_8));
      commits.add(new CommittedEpochData(List.of(new CommittedBlock(1, i, List.of(new TransactionExe(digest, 0)))), i,
          (int) i, 1, CommitSender.SYNTHETIC_TIME_MS + 1000 * i));
    }
    try (CommitSender s = CommitSender.connect(local.transports, node.config().blockChannel(), Duration.ofSeconds(5))) {
      s.send(commits, Duration.ofSeconds(10));
    }
    try (MasterClient c = new MasterClient(local.transports, node.config().localMaster(), Duration.ofSeconds(5))) {
      TestNodes.awaitLastBlock(c, to, Duration.ofSeconds(20));
    }
  }

  private BlockData block(Endpoint e, long n) throws Exception {
    try (MasterClient c = new MasterClient(local.transports, e, Duration.ofSeconds(5))) {
      return c.blocksRange(n, n).get(10, TimeUnit.SECONDS).get(0);
    }
  }

  private String get(PeerlinkNode node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(node.metricsUrl().orElseThrow() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void aNodeWhoseOwnChainForksIsNotReadySaysWhereOnceAndCountsIt() throws Exception {
    int[] ports = LoopbackPorts.pick(3);
    PeerlinkNode[] peers = new PeerlinkNode[3];
    for (int i = 0; i < 3; i++) {
      peers[i] = local.start(i, ports[i], List.of(), PeerlinkNode.Roles.MASTER_ONLY);
      local.feed(peers[i], 1, 1, 60);
    }
    int port = LoopbackPorts.pick();
    PeerlinkNode c = local.start(3, port, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    local.feed(c, 1, 1, 5);
    feedForked(c, 6, 30);
    Endpoint peer0 = peers[0].config().peerRpc().withPort(ports[0]);
    assertTrue(Arrays.equals(block(peer0, 5).blockHash(), block(c.config().localMaster(), 5).blockHash()));
    assertFalse(Arrays.equals(block(peer0, 6).blockHash(), block(c.config().localMaster(), 6).blockHash()),
        "the own chain differs from block 6");
    local.stop(c);

    c = local.start(3, port, List.of(ports[0], ports[1], ports[2]), PeerlinkNode.Roles.BOTH, "enable_metrics = true",
        "metrics_port = 0");
    List<CatchUpResult> results = new CopyOnWriteArrayList<>();
    CountDownLatch threeForked = new CountDownLatch(3);
    c.node().orElseThrow().addCatchUpListener(r -> {
      results.add(r);
      if (r.outcome() == CatchUpResult.Outcome.LOCAL_FORKED) {
        threeForked.countDown();
      }
    });
    assertTrue(threeForked.await(60, TimeUnit.SECONDS), "three catch-ups, every interval, found the fork: " + results);

    ChainFork fork = results.get(results.size() - 1).fork().orElseThrow();
    assertEquals(30, fork.localBlock());
    assertEquals(5, fork.lastCommonBlock());
    assertEquals(6, fork.firstDifferentBlock());
    assertEquals(30, c.node().orElseThrow().current().orElseThrow().localBlock(), "nothing was fetched onto it");
    assertFalse(c.node().orElseThrow().current().orElseThrow().ready());
    assertFalse(c.node().orElseThrow().firstReady().isDone());

    List<String> errors = lines.list.stream().filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(1, errors.size(), "once per fork, however often it re-checks: " + errors);
    String line = errors.get(0);
    assertTrue(line.contains("LOCAL_FORKED") && line.contains("block 30") && line.contains("after block 5")
        && line.contains("peerlink store rollback --config <its config> --to-block 5 --yes"), line);

    String ready = get(c, "/health/ready");
    assertFalse(ready.contains("\"status\":\"ready\""), ready);
    String metrics = get(c, "/metrics");
    assertTrue(metrics.contains("peerlink_catchup_local_forked 1.0"), metrics);
    Matcher runs = Pattern.compile("^peerlink_catchup_runs_total\\{outcome=\"local_forked\"} (\\S+)$",
        Pattern.MULTILINE).matcher(metrics);
    assertTrue(runs.find() && Double.parseDouble(runs.group(1)) >= 3, metrics);
    assertTrue(metrics.contains("peerlink_peer_bans_total{peer=\"tcp://127.0.0.1:" + ports[0] + "\"} 0.0"), metrics);
  }

  @Test
  void aNodeWhoseOwnChainForksWithinTheThresholdIsFirstReadyThenNotReadyWithTheForkNamed() throws Exception {
    int[] ports = honestPeers();
    int port = LoopbackPorts.pick();
    PeerlinkNode c = local.start(3, port, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    local.feed(c, 1, 1, 57);
    feedForked(c, 58, 60); // level with the peers at 60, but its blocks 58..60 are its own
    local.stop(c);

    c = local.start(3, port, List.of(ports[0], ports[1], ports[2]), PeerlinkNode.Roles.BOTH, "enable_metrics = true",
        "metrics_port = 0");
    NodeRole role = c.node().orElseThrow();
    List<CatchUpResult> runs = new CopyOnWriteArrayList<>();
    role.addCatchUpListener(runs::add);
    // Ready is reported first (the check runs after it and can only take it back).
    assertTrue(role.firstReady().get(30, TimeUnit.SECONDS).ready());
    await().atMost(Duration.ofSeconds(30)).until(() -> role.fork().isPresent());

    ChainFork fork = role.fork().orElseThrow();
    assertEquals(60, fork.localBlock());
    assertEquals(57, fork.lastCommonBlock());
    assertEquals(58, fork.firstDifferentBlock());
    assertFalse(role.ready());
    assertTrue(role.current().orElseThrow().ready(), "the sync decision itself stays Ready");
    String ready = get(c, "/health/ready");
    assertTrue(ready.contains("\"status\":\"not ready\"") && ready.contains("forks from the network")
        && ready.contains("after block 57"), ready);
    String metrics = get(c, "/metrics");
    assertEquals(0.0, sample(metrics, "peerlink_sync_ready"), metrics);
    assertEquals(1.0, sample(metrics, "peerlink_catchup_local_forked"), metrics);

    // Still forked at the next periodic checks, said at ERROR once, and no catch-up on its account.
    long before = tipChecks("FORKED");
    await().atMost(Duration.ofSeconds(30)).until(() -> tipChecks("FORKED") >= before + 2);
    List<String> errors = errors();
    assertEquals(1, errors.size(), "once per fork, however often it re-checks: " + errors);
    assertTrue(errors.get(0).contains("the check of its own tip") && errors.get(0).contains("after block 57")
        && errors.get(0).contains("--to-block 57"), errors.get(0));
    assertTrue(runs.isEmpty(), "no catch-up ran: " + runs);
    assertFalse(role.ready());
    assertEquals(1.0, sample(get(c, "/metrics"), "peerlink_catchup_local_forked"));
    assertTrue(get(c, "/metrics").contains("peerlink_peer_bans_total{peer=\"tcp://127.0.0.1:" + ports[0] + "\"} 0.0"));
  }

  @Test
  void anHonestNodeStaysReadyThroughSeveralTipChecksWithNoError() throws Exception {
    int[] ports = honestPeers();
    int port = LoopbackPorts.pick();
    PeerlinkNode c = local.start(3, port, List.of(), PeerlinkNode.Roles.MASTER_ONLY);
    local.feed(c, 1, 1, 60);
    local.stop(c);

    c = local.start(3, port, List.of(ports[0], ports[1], ports[2]), PeerlinkNode.Roles.BOTH, "enable_metrics = true",
        "metrics_port = 0");
    NodeRole role = c.node().orElseThrow();
    assertTrue(role.firstReady().get(30, TimeUnit.SECONDS).ready());
    await().atMost(Duration.ofSeconds(30)).until(() -> tipChecks("CONFIRMED") >= 3); // the first, then 2 periodic

    assertTrue(role.ready());
    assertTrue(role.fork().isEmpty());
    assertTrue(errors().isEmpty(), errors()::toString);
    assertEquals(0, tipChecks("FORKED"));
    String ready = get(c, "/health/ready");
    assertTrue(ready.contains("\"status\":\"ready\""), ready);
    String metrics = get(c, "/metrics");
    assertEquals(1.0, sample(metrics, "peerlink_sync_ready"), metrics);
    assertEquals(0.0, sample(metrics, "peerlink_catchup_local_forked"), metrics);
  }
}
