package io.peerlink.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the packaged node is, and how to start it. */
final class Jar {
  private Jar() {
  }

  /** The shaded jar built by node-app in this reactor. */
  static Path path() {
    Path p = Path.of(System.getProperty("peerlink.jar", "../node-app/target/peerlink.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("the packaged node is missing at " + p
          + ": build node-app first (./mvnw -B verify builds it before integration-tests)");
    }
    return p;
  }

  /** The JVM that runs these tests. */
  static String java() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** {@code java -Xmx.. -jar peerlink.jar}: small heaps, so three nodes fit a 2-core CI machine. */
  static List<String> javaCommand() {
    List<String> c = new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    c.add("-jar");
    c.add(path().toString());
    return c;
  }
}
