package io.peerlink.node.cli;

import io.peerlink.transport.api.TransportProvider;
import io.peerlink.transport.api.TransportRegistry;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code transports}: what ServiceLoader found, and whether each provider can work here. */
@Command(name = "transports", mixinStandardHelpOptions = true,
    description = "List the installed transport providers, their schemes and availability.")
final class TransportsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object {transports: [{schemes, provider, priority,"
      + " available, reason}]}. The exit code is the same.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    TransportRegistry registry = TransportRegistry.installed();
    List<TransportProvider> providers = registry.providers();
    if (providers.isEmpty()) {
      String why = "no transport providers installed: add transport-unix or transport-tcp to the class path";
      spec.commandLine().getErr().println(why);
      if (json) {
        JsonOutput.print(out, JsonOutput.object().put("error", why).set("transports", JsonOutput.object().arrayNode()));
      }
      return PeerlinkCommand.EXIT_ERROR;
    }
    if (json) {
      ObjectNode o = JsonOutput.object();
      ArrayNode list = o.putArray("transports");
      for (TransportProvider p : providers) {
        ObjectNode t = list.addObject();
        new TreeSet<>(p.schemes()).forEach(t.putArray("schemes")::add);
        t.put("provider", p.getClass().getName()).put("priority", p.priority()).put("available", p.isAvailable())
            .put("reason", p.isAvailable() ? null : p.unavailabilityReason().orElse("no reason given"));
      }
      JsonOutput.print(out, o);
      return 0;
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
