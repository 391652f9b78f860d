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
    List<String> c = jvm();
    c.add("-jar");
    c.add(path().toString());
    return c;
  }

  /** The node's main class on a class path of the jar plus {@code extra} jars: how a transport is dropped in. */
  static List<String> javaCommand(List<Path> extra) {
    List<String> c = jvm();
    StringBuilder cp = new StringBuilder(path().toString());
    for (Path p : extra) {
      cp.append(java.io.File.pathSeparatorChar).append(p.toAbsolutePath());
    }
    c.addAll(List.of("-cp", cp.toString(), "io.peerlink.node.Main"));
    return c;
  }

  private static List<String> jvm() {
    return new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
  }
}
