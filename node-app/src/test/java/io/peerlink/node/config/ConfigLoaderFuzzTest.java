package io.peerlink.node.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peerlink.transport.api.TransportRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the node's config loader with arbitrary bytes as the config file, read the way
 * {@code --config FILE} reads it: {@link ConfigLoader#load(Path, TransportRegistry)} over
 * {@code reference.conf}, without environment or system-property overrides.
 *
 * <p>Properties: the result is a {@link NodeConfig} or a {@link ConfigValidationException} whose
 * problems are each one non-blank line; any other exception or error is a finding.
 *
 * <p>Seeds: {@code src/test/resources/io/peerlink/node/config/ConfigLoaderFuzzTestInputs/load/}: the
 * seed system's config snippets (PEER_DISCOVERY_TCP.md), its node files and reference.conf. CI
 * fuzzes this for 30 s (see the {@code fuzz} profile in this module's pom).
 */
class ConfigLoaderFuzzTest {

  private static final TransportRegistry TRANSPORTS = TransportRegistry.installed();
  private static final Path FILE;

  static {
    // "Ignoring config keys ..." once per input would drown the fuzzer's own output.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ConfigLoader.class)).setLevel(Level.WARN);
    try {
      FILE = Files.createTempFile(Files.createTempDirectory(Path.of("/tmp"), "plfz"), "node", ".toml");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Deleted at exit in reverse order of registration: the file, then its directory.
    FILE.getParent().toFile().deleteOnExit();
    FILE.toFile().deleteOnExit();
  }

  @FuzzTest(maxDuration = "30s")
  void load(byte[] data) throws IOException {
    Files.write(FILE, data);
    try {
      NodeConfig config = ConfigLoader.withoutOverrides().load(FILE, TRANSPORTS);
      assertNotNull(config.peerRpc());
    } catch (ConfigValidationException e) {
      assertFalse(e.problems().isEmpty(), "a validation error names at least one problem");
      for (String problem : e.problems()) {
        assertFalse(problem.isBlank(), "a problem is never blank");
        assertFalse(problem.contains("\n") || problem.contains("\r"), () -> "a problem is one line: " + problem);
      }
    }
  }
}
