package io.peerlink.node;

import io.peerlink.node.blocks.CommitSender;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.role.MasterRole;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's short temporary directory, installed transports and whatever it starts, closed in
 * reverse order after the test: {@code @RegisterExtension final Workspace ws = new Workspace();}.
 */
public final class Workspace implements BeforeEachCallback, AfterEachCallback {
  private Path dir;
  private TransportRegistry transports;
  private final List<AutoCloseable> open = new ArrayList<>();

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    dir = TestNodes.tempDir();
    transports = TransportRegistry.installed();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
    transports.close();
    TestNodes.deleteTree(dir);
  }

  public Path dir() {
    return dir;
  }

  public TransportRegistry transports() {
    return transports;
  }

  /** Closes {@code c} after the test (before anything kept earlier). */
  public <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  /** A started master role on a fresh chain under {@code dir/data}, fed {@code blocks} commits of epoch 1. */
  public MasterRole master(NodeConfig config, long blocks) throws Exception {
    TestNodes.State state = keep(TestNodes.state(dir.resolve("data")));
    MasterRole master = keep(new MasterRole(config, transports, state.masterState(), state.intake()));
    master.start();
    if (blocks > 0) {
      try (CommitSender s = CommitSender.connect(transports, config.blockChannel(), Duration.ofSeconds(5))) {
        s.send(CommitSender.syntheticCommits(1, 1, blocks), Duration.ofSeconds(10));
      }
      try (var c = new io.peerlink.discovery.core.client.MasterClient(transports, config.localMaster(), Duration.ofSeconds(5))) {
        TestNodes.awaitLastBlock(c, blocks, Duration.ofSeconds(20));
      }
    }
    return master;
  }
}
