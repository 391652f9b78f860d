package io.peerlink.discovery.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.peerlink.discovery.core.client.MasterClient;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary as compiled: it reads transport-api and nothing else (embedders take it
 * alone), and exports its six API packages, whatever else is added later.
 */
class ModuleLayoutTest {

  /** The module-info.class beside the main classes (tests run on the class path, where JDK modules have one too). */
  private static ModuleDescriptor descriptor() throws Exception {
    URL classes = MasterClient.class.getProtectionDomain().getCodeSource().getLocation();
    Path dir = Path.of(classes.toURI());
    URL info = Files.isDirectory(dir) ? dir.resolve("module-info.class").toUri().toURL()
        : new URL("jar:" + classes + "!/module-info.class");
    try (InputStream in = info.openStream()) {
      assertNotNull(in, "module-info.class at " + info);
      return ModuleDescriptor.read(in);
    }
  }

  @Test
  void readsTransportApiAlone() throws Exception {
    ModuleDescriptor d = descriptor();
    assertEquals("io.peerlink.discovery.core", d.name());
    Set<String> requires = d.requires().stream().map(ModuleDescriptor.Requires::name)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("io.peerlink.transport.api", "java.base"), requires);
  }

  @Test
  void exportsTheApiPackagesOnly() throws Exception {
    Set<String> exports = descriptor().exports().stream().map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
    String base = "io.peerlink.discovery.core.";
    assertEquals(Set.of(base + "catchup", base + "chain", base + "client", base + "discovery", base + "protocol",
        base + "server"), exports);
  }
}
