package io.peerlink.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.it.thirdparty.JdkTcpTransportProvider;
import io.peerlink.node.demo.LoopbackPorts;
import io.peerlink.node.testing.NodeProcess;
import io.peerlink.transport.api.TransportProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A transport module from outside: a jar built here holding only the {@code jtcp} provider and
 * its META-INF/services file, put beside the node's jar. No other module changes, yet the node
 * lists the scheme and queries a peer at {@code jtcp://...}.
 */
class ThirdPartyTransportTest {

  private static final Duration STEP = SeedScenario.STEP;

  @Test
  void aDroppedInJarAddsASchemeTheNodeUses() throws Exception {
    try (Cluster cluster = new Cluster()) {
      Path thirdParty = buildProviderJar(cluster.dir.resolve("peerlink-jtcp.jar"));

      NodeProcess.Result listed = runWith(thirdParty, "transports-jtcp", "transports");
      assertEquals(0, listed.exitCode(), listed.output());
      assertTrue(listed.has("jtcp"), "the new scheme is listed:\n" + listed.output());
      assertTrue(listed.has("unix") && listed.has("tcp"), listed.output());

      int[] ports = {LoopbackPorts.pick(), LoopbackPorts.pick(), LoopbackPorts.pick()};
      Path peerConfig = cluster.writeConfig(0, ports[0], "127.0.0.1", List.of(), Map.of());
      cluster.startNode("peer", List.of(), 0, "--master-only", "--config", peerConfig.toString());
      NodeProcess.Result fed = NodeProcess.run("feed", STEP, "send-blocks", "unix://" + cluster.sendSocket(0),
          "--epoch", "5", "--from", "1", "--to", "50");
      assertEquals(0, fed.exitCode(), fed.output());
      cluster.awaitBlock(List.of(), "unix://" + cluster.receiveSocket(0), 50, STEP);

      // The peer's master speaks TCP; the jtcp transport reaches it with plain JDK sockets.
      String peer = "jtcp://127.0.0.1:" + ports[0];
      Path self = cluster.writeConfig(2, ports[2], "127.0.0.1", List.of(peer), Map.of());
      // Config validation parses every endpoint against the installed transports: this node needs the jar too.
      List<String> selfRun = new java.util.ArrayList<>(NodeProcess.javaCommand(List.of(thirdParty)));
      selfRun.addAll(List.of("run", "--master-only", "--config", self.toString()));
      cluster.keep(NodeProcess.startCommand("self", selfRun)).awaitLine("node 2 started", STEP);
      NodeProcess.Result check = runWith(thirdParty, "check-jtcp", "check-sync", "--config", self.toString());
      assertTrue(check.has("\\[PEER EPOCH\\] Peer master \\(" + java.util.regex.Pattern.quote(peer) + "\\): epoch=5, block=50"),
          "the peer is queried through the dropped-in transport:\n" + check.output());
      assertEquals(3, check.exitCode(), check.output());

      NodeProcess.Result without = NodeProcess.run("check-without", STEP, "check-sync", "--config", self.toString());
      assertEquals(1, without.exitCode(), "without the jar the scheme is unknown:\n" + without.output());
      assertTrue(without.has("jtcp"), "the error names the scheme:\n" + without.output());
    }
  }

  private static NodeProcess.Result runWith(Path extraJar, String name, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(NodeProcess.javaCommand(List.of(extraJar)));
    command.addAll(List.of(args));
    return NodeProcess.runCommand(name, STEP, command);
  }

  /** Packs the jtcp provider's compiled classes and a services file into a jar of their own. */
  static Path buildProviderJar(Path jar) throws IOException, URISyntaxException {
    Path classes = Path.of(JdkTcpTransportProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String pkg = JdkTcpTransportProvider.class.getPackageName().replace('.', '/');
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
         Stream<Path> files = Files.list(classes.resolve(pkg))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        j.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
      j.putNextEntry(new JarEntry("META-INF/services/" + TransportProvider.class.getName()));
      j.write((JdkTcpTransportProvider.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
    return jar;
  }
}
