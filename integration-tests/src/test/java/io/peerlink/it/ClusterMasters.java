package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.protocol.BlockData;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link Cluster} for a whole test class and clients of its nodes' masters over their Unix
 * sockets, on one set of installed transports. Registered as an instance field of a
 * {@code PER_CLASS} test, it opens both before the class's {@code @BeforeAll} and closes both
 * after its last test, so the tests need no teardown of their own.
 */
final class ClusterMasters implements BeforeAllCallback, AfterAllCallback {

  private Cluster cluster;
  private TransportRegistry transports;

  /** The cluster; open from before the class's {@code @BeforeAll} until after its last test. */
  Cluster cluster() {
    return cluster;
  }

  /** A client of node {@code node}'s own master; the caller closes it. */
  MasterClient client(int node) {
    return new MasterClient(transports, Endpoint.parse("unix://" + cluster.receiveSocket(node)));
  }

  /** {@code mine} holds {@code theirs}' blocks {@code from..to}, hash for hash, read 500 at a time. */
  static void assertSameBlocks(MasterClient mine, MasterClient theirs, long from, long to) throws Exception {
    for (long first = from; first <= to; first += 500) {
      long last = Math.min(to, first + 499);
      List<BlockData> ours = mine.blocksRange(first, last).get(10, TimeUnit.SECONDS);
      List<BlockData> expected = theirs.blocksRange(first, last).get(10, TimeUnit.SECONDS);
      assertEquals(expected.size(), ours.size(), "blocks " + first + ".." + last);
      for (int i = 0; i < ours.size(); i++) {
        assertArrayEquals(expected.get(i).blockHash(), ours.get(i).blockHash(),
            "block " + ours.get(i).blockNumber() + " is the reference master's");
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    cluster = new Cluster();
    transports = TransportRegistry.installed();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // The transports close even if stopping the cluster fails; either is null if beforeAll failed first.
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (transports != null) {
        transports.close();
      }
    }
  }
}
