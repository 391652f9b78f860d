package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Another user's socket at a node's socket path, on the packaged jar: check-sync refuses to trust
 * it and names its uid; a stopping master leaves it in place.
 */
class LocalSocketTrustTest {
  private static final Duration STEP = SeedScenario.STEP;
  private static final int NOBODY = 65534;

  /** A Unix socket listening at {@code path} as user nobody, until closed. */
  private static final class Squatter implements AutoCloseable {
    private final Process process;

    Squatter(Path path) throws Exception {
      String script = "import socket,os,sys\n"
          + "s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(8)\n"
          + "print('ready', flush=True)\n"
          + "sys.stdin.read()\n";
      process = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
          "/usr/bin/python3", "-c", script, path.toString()).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine(), "the squatter listens at " + path);
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void aSquattedSocketIsRefusedNamingItsUidAndAStoppingMasterLeavesIt() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "running a squatter as another user (nobody) needs root");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
        "needs /usr/bin/setpriv and /usr/bin/python3 for the squatter");
    try (Cluster cluster = new Cluster()) {
      // The cluster's directory stands for /tmp: anyone may create files in it.
      Files.setPosixFilePermissions(cluster.dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      Path config = cluster.writeConfig(0, LoopbackPorts.pick(), "127.0.0.1", List.of(), Map.of("discovery.timeout", "2s"));
      try (Squatter squatter = new Squatter(cluster.receiveSocket(0))) {
        NodeProcess.Result check = NodeProcess.run("check-squatted", STEP, "check-sync", "--config", config.toString());
        assertEquals(1, check.exitCode(), check.output());
        assertTrue(check.has("served by uid " + NOBODY + " .*neither this node's uid 0 nor in master_uids \\[\\]"),
            check.output());
      }

      NodeProcess master = cluster.startNode("master", List.of(), 0, "--master-only", "--config", config.toString());
      Path query = cluster.receiveSocket(0);
      Files.delete(query);
      try (Squatter squatter = new Squatter(query)) {
        assertEquals(143, master.stop(STEP), master.output());
        assertTrue(Files.exists(query, LinkOption.NOFOLLOW_LINKS), "the other user's socket is left:\n" + master.output());
        assertTrue(!Files.exists(cluster.sendSocket(0), LinkOption.NOFOLLOW_LINKS), "the master's own is removed");
      }
    }
  }
}
