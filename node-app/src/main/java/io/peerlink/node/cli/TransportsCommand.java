package io.peerlink.node.cli;

import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code transports}: what ServiceLoader found, and whether each provider can work here. */
@Command(name = "transports", mixinStandardHelpOptions = true,
    description = "List the installed transport providers, their schemes and availability.")
final class TransportsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    TransportRegistry registry = TransportRegistry.installed();
    List<TransportProvider> providers = registry.providers();
    if (providers.isEmpty()) {
      spec.commandLine().getErr().println("no transport providers installed: add transport-unix or transport-tcp "
          + "to the class path");
      return PeerlinkCommand.EXIT_ERROR;
    }
    for (TransportProvider p : providers) {
      String schemes = String.join(",", new TreeSet<>(p.schemes()));
      String state = p.isAvailable() ? "available"
          : "unavailable: " + p.unavailabilityReason().orElse("no reason given");
      out.printf("%-8s %s priority=%d %s%n", schemes, p.getClass().getName(), p.priority(), state);
    }
    out.flush();
    return 0;
  }
}
