package io.peerlink.node.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.node.TestNodes;
import io.peerlink.node.Workspace;
import io.peerlink.node.config.NodeConfig;
import io.peerlink.node.role.MasterRole;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.TransportRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The node trusts a Unix socket only when its own uid or master_uids serves it: real sockets, real uids. */
class SocketOwnerCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  @RegisterExtension final Workspace ws = new Workspace();

  private static String failure(TransportRegistry registry, Endpoint endpoint) throws Exception {
    try (MasterClient client = new MasterClient(registry, endpoint, TIMEOUT)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> client.lastBlockNumber().get(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS));
      return String.valueOf(e.getCause().getMessage());
    }
  }

  @Test
  void aSocketOfThisUidOrOfMasterUidsIsTrustedAnyOtherIsRefusedNamingTheUid() throws Exception {
    NodeConfig config = TestNodes.config(ws.dir(), 0, List.of());
    long me = SocketOwnerCheck.currentUid();
    TransportRegistry transports = ws.transports();
    MasterRole master = ws.master(config, 0);
    TransportRegistry own = SocketOwnerCheck.forThisProcess(Set.of()).wrap(transports);
    try (MasterClient client = new MasterClient(own, config.localMaster(), TIMEOUT)) {
      assertEquals(0L, client.lastBlockNumber().get(20, TimeUnit.SECONDS));
    }
    // Seen from a node running as another uid, the same socket is a stranger's.
    long stranger = me + 4242;
    String refused = failure(new SocketOwnerCheck(stranger, Set.of()).wrap(transports), config.localMaster());
    assertTrue(refused.contains("served by uid " + me) && refused.contains("neither this node's uid " + stranger)
        && refused.contains("master_uids []"), refused);
    TransportRegistry trusting = new SocketOwnerCheck(stranger, Set.of(me)).wrap(transports);
    try (MasterClient client = new MasterClient(trusting, config.localMaster(), TIMEOUT)) {
      assertEquals(0L, client.lastBlockNumber().get(20, TimeUnit.SECONDS), "master_uids admits it");
    }
    // TCP has no owner to check: the peer port passes through.
    TransportRegistry strict = new SocketOwnerCheck(stranger, Set.of()).wrap(transports);
    try (MasterClient client = new MasterClient(strict, master.peerRpcEndpoint().orElseThrow(), TIMEOUT)) {
      assertEquals(0L, client.lastBlockNumber().get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void aSocketSquattedByAnotherUserInASharedDirectoryIsRefused() throws Exception {
    Assumptions.assumeTrue(SocketOwnerCheck.currentUid() == 0,
        "starting a squatter as another user (nobody, 65534) needs root");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
        "needs /usr/bin/setpriv and /usr/bin/python3 to run the squatter as nobody");
    // A directory anyone may create files in, like /tmp (the test's own directory is private).
    Path shared = Files.createTempDirectory(Path.of("/tmp"), "plsquat");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path socket = shared.resolve("rust-go-master.sock");
    String squatter = "import socket,os,sys\n"
        + "s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(8)\n"
        + "print('ready', flush=True)\n"
        + "sys.stdin.read()\n"; // until the test closes its stdin
    Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "/usr/bin/python3", "-c", squatter, socket.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine(), "the squatter is listening"); // ends at the process's exit at the latest
      String refused = failure(SocketOwnerCheck.forThisProcess(Set.of()).wrap(ws.transports()), Endpoint.unix(socket));
      assertTrue(refused.contains("served by uid 65534"), refused);
    } finally {
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      TestNodes.deleteTree(shared);
    }
  }
}
