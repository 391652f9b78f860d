package io.peerlink.discovery.core.testing;

import io.peerlink.transport.api.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh {@link TestNetwork} for each test with the node's own master on it, holding the honest
 * chain up to a given block: the set-up every catch-up test starts from. A subclass's own
 * {@code @AfterEach} runs before this one closes the network.
 */
public abstract class LocalMasterFixture {

  private final long localTip;
  protected TestNetwork net;
  protected FakeMasterState localState;
  protected Endpoint local;

  /** @param localTip the last block the local master holds (0: none) */
  protected LocalMasterFixture(long localTip) {
    this.localTip = localTip;
  }

  @BeforeEach
  void startLocalMaster() throws Exception {
    net = new TestNetwork();
    localState = new FakeMasterState(1, localTip);
    local = net.local("local", localState);
  }

  @AfterEach
  void closeNetwork() throws Exception {
    net.close();
  }
}
