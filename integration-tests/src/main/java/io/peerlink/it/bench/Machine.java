package io.peerlink.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What this run ran on, and how busy the machine was. */
final class Machine {

  private Machine() {
  }

  /** CPU model, cores, JDK: the issue's {@code "<cpu, cores, jdk>"}. */
  static String describe() {
    String cpu = "unknown cpu";
    try {
      String mhz = "";
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name") && cpu.startsWith("unknown")) {
          cpu = line.substring(line.indexOf(':') + 1).strip();
        } else if (line.startsWith("cpu MHz") && mhz.isEmpty()) {
          mhz = " @ " + Math.round(Double.parseDouble(line.substring(line.indexOf(':') + 1).strip())) + " MHz";
        }
      }
      cpu += mhz;
    } catch (IOException | RuntimeException e) {
      cpu = System.getProperty("os.arch");
    }
    return String.format(Locale.ROOT, "%s, %d cores, %s %s (%s), %s %s", cpu, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.version"));
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          .getSystemLoadAverage());
    }
  }
}
