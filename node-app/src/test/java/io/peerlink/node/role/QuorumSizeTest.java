package io.peerlink.node.role;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.peerlink.discovery.core.discovery.SelectionPolicy;
import io.peerlink.node.Workspace;
import io.peerlink.node.config.ConfigLoader;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.master.CommitteeFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The f the node's quorum policy works with: explicit, from the committee file, or from the peers. */
class QuorumSizeTest {

  @RegisterExtension
  final Workspace ws = new Workspace();

  private static final String THREE_PEERS =
      "peer_go_master_sockets = [\"tcp://127.0.0.1:19201\", \"tcp://127.0.0.1:19202\", \"tcp://127.0.0.1:19203\"]\n";

  private NodeConfig load(String hocon) throws Exception {
    return ConfigLoader.withoutOverrides().load(ConfigFactory.parseString(THREE_PEERS + hocon), ws.transports());
  }

  private SelectionPolicy effective(String hocon) throws Exception {
    return QuorumSize.discoveryOptions(load(hocon)).selectionPolicy();
  }

  @Test
  void aCommitteeFileGivesFUnlessQuorumFIsSet() throws Exception {
    Path seven = CommitteeFiles.write(ws.dir().resolve("committee.json"), 7, "q", true);
    String committee = "committee_path = \"" + seven + "\"\n";

    assertEquals(SelectionPolicy.quorum(2), effective(committee), "a committee of 7 tolerates 2, whatever the peers");
    assertEquals(2, effective(committee).faultTolerance(3));
    assertEquals(SelectionPolicy.quorum(1), effective(committee + "discovery.quorum_f = 1"), "an explicit f wins");
    assertEquals(1, effective("").faultTolerance(3), "without a committee: 3 peers and the node, f = 1");
    assertEquals(SelectionPolicy.highest(), effective(committee + "discovery.policy = highest"));
  }

  @Test
  void anUnreadableCommitteeFileFallsBackToThePeers() throws Exception {
    SelectionPolicy p = effective("committee_path = \"" + ws.dir().resolve("missing.json") + "\"\n");
    assertEquals(SelectionPolicy.quorum(), p);
    assertEquals(1, p.faultTolerance(3));
  }
}
