package io.peerlink.node.role;

import io.peerlink.node.TestNodes;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.CommitteeSource;
import io.peerlink.transport.api.TransportRegistry;
import java.nio.file.Path;
import java.util.function.Function;

/** A started master role on a fresh chain state in a temp dir, and everything to close after it. */
final class TestMaster implements AutoCloseable {
  final Path dir;
  final TransportRegistry transports = TransportRegistry.installed();
  final NodeConfig config;
  final TestNodes.State state;
  final MasterRole master;

  /**
   * @param configure the node's config from the defaults in {@code dir}
   * @param committee where the chain reads committees
   */
  TestMaster(Function<Path, NodeConfig> configure, Function<Path, CommitteeSource> committee) throws Exception {
    dir = TestNodes.tempDir();
    config = configure.apply(dir);
    state = TestNodes.state(dir.resolve("data"), committee.apply(dir));
    master = new MasterRole(config, transports, state.masterState(), state.intake());
    master.start();
  }

  int peerPort() {
    return master.peerRpcEndpoint().orElseThrow().port();
  }

  @Override
  public void close() throws Exception {
    master.close();
    state.close();
    transports.close();
    TestNodes.deleteTree(dir);
  }
}
