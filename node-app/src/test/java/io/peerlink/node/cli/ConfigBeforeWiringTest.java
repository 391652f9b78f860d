package io.peerlink.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.peerlink.node.TestNodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code run} and {@code check-sync} read a config on one path, before anything is wired: a file
 * with mistakes in three subtrees (the peer port, the local listeners' limits, the master) is
 * refused by both with all three problems at once, and nothing is opened or bound.
 */
class ConfigBeforeWiringTest {

  private static final List<String> THREE_PROBLEMS = List.of(
      "peer_rpc_port = 70000: expected a port number 1-65535 (node.conf line 5)",
      "limits.local.max_connections = 0: expected a number of connections 1-1000000 (node.conf line 6)",
      "master.max_clock_skew = \"2d\": expected a duration from 1s to 1d (node.conf line 7)");

  private Path dir;
  private Path file;

  @BeforeEach
  void setUp() throws Exception {
    dir = TestNodes.tempDir();
    file = dir.resolve("node.conf");
    Files.writeString(file, String.join("\n",
        "executor_send_socket_path = \"" + dir.resolve("e.sock") + "\"",
        "executor_receive_socket_path = \"" + dir.resolve("m.sock") + "\"",
        "storage_path = \"" + dir.resolve("data") + "\"",
        "peer_rpc_bind = \"127.0.0.1\"",
        "peer_rpc_port = 70000",
        "limits.local.max_connections = 0",
        "master.max_clock_skew = 2d",
        ""));
  }

  @AfterEach
  void tearDown() throws Exception {
    TestNodes.deleteTree(dir);
  }

  @Test
  void runReportsAllThreeMistakesAtOnceAndOpensNothing() {
    assertRefusedWithAllThree("run");
  }

  @Test
  void checkSyncReportsTheSameThreeMistakes() {
    assertRefusedWithAllThree("check-sync");
  }

  private void assertRefusedWithAllThree(String command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PeerlinkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        command, "--config", file.toString());
    assertEquals(PeerlinkCommand.EXIT_ERROR, code, err::toString);
    List<String> lines = err.toString().lines().toList();
    assertEquals("peerlink " + command + ": the config " + file + " cannot be used:", lines.get(0));
    assertEquals(THREE_PROBLEMS, lines.subList(1, lines.size()).stream().map(String::strip).toList());
    assertFalse(Files.exists(dir.resolve("data")), "the chain store is not opened");
    assertFalse(Files.exists(dir.resolve("m.sock"), LinkOption.NOFOLLOW_LINKS), "nothing listens");
    assertFalse(Files.exists(dir.resolve("e.sock"), LinkOption.NOFOLLOW_LINKS), "nothing listens");
  }
}
