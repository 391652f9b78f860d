package io.peerlink.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerlink.node.testing.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Tests of the packaged {@code peerlink.jar}, run by failsafe after {@code package}: the shaded
 * jar must carry every transport's ServiceLoader entry (a shade without the services transformer
 * keeps only one), and the jar must run.
 */
class PeerlinkJarIT {

  static final String SERVICES = "META-INF/services/io.peerlink.transport.api.TransportProvider";
  private static final Duration STEP = Duration.ofSeconds(60);

  @Test
  void theJarMergesEveryTransportsServiceFile() throws IOException {
    try (JarFile jar = new JarFile(NodeProcess.jar().toFile())) {
      assertNotNull(jar.getEntry(SERVICES), SERVICES + " is missing from " + NodeProcess.jar());
      List<String> providers;
      try (var in = jar.getInputStream(jar.getEntry(SERVICES))) {
        providers = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
            .map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).collect(Collectors.toList());
      }
      assertTrue(providers.stream().anyMatch(p -> p.startsWith("io.peerlink.transport.unix.")), providers.toString());
      assertTrue(providers.stream().anyMatch(p -> p.startsWith("io.peerlink.transport.tcp.")), providers.toString());
      for (String p : providers) {
        assertNotNull(jar.getEntry(p.replace('.', '/') + ".class"), "provider class " + p + " is not in the jar");
      }
      assertEquals("io.peerlink.node.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }

  @Test
  void transportsFromTheJarListsUnixAndTcpAvailable() throws Exception {
    NodeProcess.Result r = NodeProcess.run("transports", STEP, "transports");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.stdout().lines().collect(Collectors.toList());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("unix ") && l.endsWith(" available")), r.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("tcp,tls ") && l.endsWith(" available")), r.toString());
  }

  @Test
  void statusAgainstNothingExitsOneAndSaysWhy() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
    try {
      String sock = dir.resolve("none.sock").toString();
      NodeProcess.Result r = NodeProcess.run("status-nothing", STEP, "status", sock);
      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(r.stderr().contains("unix://" + sock) && r.stderr().contains("unreachable"), r.toString());
      assertFalse(r.stdout().contains("epoch="), r.toString());
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void aBadConfigStopsRunBeforeAnythingListensAndNamesTheKey() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
    Path config = dir.resolve("bad.toml");
    Files.writeString(config, "peer_rpc_port = \"nineteen\"\nexecutor_receive_socket_path = \"" + dir + "/m.sock\"\n");
    try {
      NodeProcess.Result r = NodeProcess.run("run-bad-config", STEP, "run", "--config", config.toString());
      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(r.stderr().contains("peer_rpc_port = \"nineteen\": expected a port number 1-65535"), r.toString());
      assertFalse(Files.exists(dir.resolve("m.sock")), "a socket was bound despite the bad config");
    } finally {
      Files.delete(config);
      Files.deleteIfExists(dir);
    }
  }

}
