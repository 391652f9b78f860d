package io.peerlink.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.peerlink.transport.api.TransportRegistry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs {@link ConfigLoaderFuzzTest} found, each with the exact crashing file (kept in the
 * fuzz test's corpus) and a minimal spelling of it.
 */
class ConfigLoaderFuzzFindingsTest {

  private static final TransportRegistry TRANSPORTS = TransportRegistry.installed();

  @AfterAll
  static void closeTransports() {
    TRANSPORTS.close();
  }

  private static Path corpusFile(String name) throws URISyntaxException {
    return Path.of(ConfigLoaderFuzzFindingsTest.class.getResource("ConfigLoaderFuzzTestInputs/load/" + name).toURI());
  }

  /** Loads; a NodeConfig or a ConfigValidationException are the only outcomes. */
  private static List<String> problemsOf(Path file) {
    try {
      assertNotNull(ConfigLoader.withoutOverrides().load(file, TRANSPORTS));
      return List.of();
    } catch (ConfigValidationException e) {
      return e.problems();
    }
  }

  /**
   * A quoted key holding a dot ({@code "a.b" = 1}) made the ignored-keys report cut the path
   * {@code "a.b"} at its dot and ask Typesafe about {@code "a}: ConfigException.BadPath escaped
   * from load().
   */
  @Test
  void aQuotedKeyWithADotIsReportedAsIgnored() throws Exception {
    problemsOf(corpusFile("crash-quoted-key-with-dot"));
    assertTrue(ConfigLoader.ignoredKeys(ConfigFactory.parseString("\"a.b\" = 1\nx.\"c.d\".e = 2"))
        .containsAll(List.of("\"a.b\"", "x.\"c.d\".e")));
    // Loads, or fails validation for another reason (without transport-unix the defaults' socket
    // paths are refused); never a Typesafe exception.
    try {
      assertNotNull(ConfigLoader.withoutOverrides().load(ConfigFactory.parseString("\"a.b\" = 1"), TRANSPORTS));
    } catch (ConfigValidationException expectedWithoutUnix) {
      assertFalse(expectedWithoutUnix.getMessage().contains("a.b"), expectedWithoutUnix.getMessage());
    }
  }

  /**
   * A control character in a value (here a CR in a socket path over 107 bytes) reached the
   * problem text raw through the endpoint's error message, so one problem spanned two lines.
   */
  @Test
  void aProblemStaysOneLineWhateverTheValueHolds() throws Exception {
    for (String problem : problemsOf(corpusFile("crash-control-characters-in-a-value"))) {
      assertFalse(problem.contains("\r") || problem.contains("\n"), problem);
    }
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> ConfigLoader.withoutOverrides()
        .load(ConfigFactory.parseString("peer_go_master_sockets = [\"tcp://a\\nb:1\"]"), TRANSPORTS));
    String problem = e.problems().stream().filter(p -> p.startsWith("peer_go_master_sockets")).findFirst()
        .orElseThrow(() -> new AssertionError("the bad peer is not named: " + e.getMessage()));
    assertEquals(e.getMessage().lines().count(), e.problems().size(), "one line per problem");
    assertTrue(problem.startsWith("peer_go_master_sockets[0] = \"tcp://a\\nb:1\": expected"), problem);
    assertTrue(problem.contains("got 'a\\nb'"), problem);
  }

  /**
   * Found while probing what the fuzz test cannot reach in 30 s (inputs near its 4 KB limit): a
   * file of "a = " and 3000 '[' (3 KB) overflowed the stack in Typesafe's recursive parser, and
   * StackOverflowError escaped from load().
   */
  @Test
  void aDeeplyNestedFileIsABadConfigNotAStackOverflow(@TempDir Path dir) throws Exception {
    for (String nested : List.of("a = " + "[".repeat(3000), "a = " + "{b:".repeat(3000) + "1" + "}".repeat(3000))) {
      Path file = Files.writeString(dir.resolve("deep.conf"), nested);
      ConfigValidationException e = assertThrows(ConfigValidationException.class,
          () -> ConfigLoader.withoutOverrides().load(file, TRANSPORTS));
      assertEquals(List.of("config file " + file + ": nested too deeply to read (thousands of levels of [ or {);"
          + " expected a flat config such as reference.conf"), e.problems());
    }
  }

  /**
   * Found while probing what the fuzz test would not assemble in 30 s: 30 lines of
   * {@code bN = ${bN+1} ${bN+1}} expand to a 2^30-character string, and resolving them threw
   * OutOfMemoryError out of load(). Substitutions are now refused in a user's file, each key named.
   */
  @Test
  void substitutionsAreRefusedSoNoFileCanExpandExponentially(@TempDir Path dir) throws Exception {
    StringBuilder laughs = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      laughs.append("b").append(i).append(" = ${b").append(i + 1).append("} ${b").append(i + 1).append("}\n");
    }
    laughs.append("b30 = x\n");
    Path file = Files.writeString(dir.resolve("laughs.conf"), laughs);
    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> ConfigLoader.withoutOverrides().load(file, TRANSPORTS));
    assertEquals(30, e.problems().size(), e.getMessage());
    assertEquals("b0 uses a substitution (${...} or +=) on line 1: not supported in a node's config; write the"
        + " value itself", e.problems().get(0));

    ConfigValidationException plusEquals = assertThrows(ConfigValidationException.class, () -> ConfigLoader
        .withoutOverrides().load(ConfigFactory.parseString("peer_rpc_addresses += \"10.0.0.2:19201\""), TRANSPORTS));
    assertEquals("peer_rpc_addresses uses a substitution (${...} or +=) on line 1: not supported in a node's config;"
        + " write the value itself, or override it with PEERLINK_PEER_RPC_ADDRESSES or -Dpeerlink.peer_rpc_addresses",
        plusEquals.problems().get(0));
  }

  /**
   * Found by ConfigLoaderFuzzTest in the substitution check itself: an object merged with a
   * substitution (the exact input is in the corpus as crash-object-merged-with-substitution) made
   * Config.entrySet() throw ConfigException.NotResolved out of load(). The check walks objects now.
   */
  @Test
  void anObjectMergedWithASubstitutionIsNamed() throws Exception {
    problemsOf(corpusFile("crash-object-merged-with-substitution"));
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> ConfigLoader
        .withoutOverrides().load(ConfigFactory.parseString("x = {}\ndiscovery = ${x}\ndiscovery { policy = quorum }"),
            TRANSPORTS));
    assertEquals(List.of("discovery uses a substitution (${...} or +=) on line 2: not supported in a node's config;"
        + " write the value itself"), e.problems());
  }
}
