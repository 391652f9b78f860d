package io.peerlink.node.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.peerlink.discovery.core.server.MasterState;
import io.peerlink.node.blocks.CommitIntake;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.ChainOptions;
import io.peerlink.node.master.ChainState;
import io.peerlink.node.master.CommitteeFile;
import io.peerlink.node.master.CommitteeSource;
import io.peerlink.node.master.StoreHealth;
import io.peerlink.node.metrics.NodeMetrics;
import io.peerlink.node.role.MasterHandlers;
import io.peerlink.node.role.MasterRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.LoggerFactory;

/**
 * The master role: the durable chain state under {@code storage_path}, served as the
 * {@link MasterState} of both query listeners and fed by the block channel. Opened only when the
 * master role runs (bindings are lazy), so a node-only process touches no storage.
 */
public final class MasterModule extends AbstractModule {

  @Override
  protected void configure() {
    bind(MasterRole.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  ChainState chainState(NodeConfig config, NodeMetrics metrics) {
    try {
      ChainState state = ChainState.open(config.storagePath(),
          ChainOptions.defaults().withRetentionBlocks(config.retentionBlocks())
              .withMaxClockSkew(config.master().maxClockSkew()),
          config.master().committeePath().<CommitteeSource>map(CommitteeFile::new).orElse(CommitteeSource.NONE));
      metrics.bindChain(state, chainDirectory(config));
      LoggerFactory.getLogger(MasterModule.class).info(
          "master: chain state at {}: epoch={} last block={}", config.storagePath().toAbsolutePath(),
          Long.toUnsignedString(state.currentEpoch()), Long.toUnsignedString(state.lastBlockNumber()));
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException("storage_path " + config.storagePath() + ": cannot open the chain state: "
          + e.getMessage(), e);
    }
  }

  @Provides
  MasterState masterState(ChainState state) {
    return state;
  }

  @Provides
  CommitIntake commitIntake(ChainState state, NodeMetrics metrics) {
    return metrics.commitIntake(state);
  }

  /** What the master's listeners serve: the query API over the chain state, the block channel into it. */
  @Provides
  @Singleton
  MasterHandlers masterHandlers(NodeConfig config, ChainState state, CommitIntake intake) {
    return MasterHandlers.of(config, state, intake);
  }

  /** Whether the store takes writes, for {@code /health/ready}: no write stuck, the directory writable. */
  @Provides
  StoreHealth storeHealth(NodeConfig config, ChainState chain) {
    return StoreHealth.of(chain, chainDirectory(config));
  }

  private static java.nio.file.Path chainDirectory(NodeConfig config) {
    return config.storagePath().resolve(ChainState.CHAIN_DIRECTORY);
  }
}
