package io.peerlink.node.cli;

import io.peerlink.node.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code demo}: the seed's scenario on one machine, with no set-up. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the seed's scenario on this machine: three nodes, one catches up.",
        "Unix sockets in a temp dir, TCP on free loopback ports. Two nodes run ahead; the third starts empty,",
        "discovers its peers, catches up and turns Ready. Exits 0 when it did, and cleans up.",
        "Each node serves Prometheus metrics on a free loopback port; the demo prints the URLs."})
final class DemoCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--blocks", defaultValue = "200", paramLabel = "N",
      description = "Commits the two nodes ahead are fed (default: ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--timeout-s", defaultValue = "60", paramLabel = "S",
      description = "How long the third node may take to turn Ready (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--hold-s", defaultValue = "0", paramLabel = "S",
      description = "Keep the nodes running S seconds after the scenario, to scrape the metrics URLs it prints"
          + " (default: ${DEFAULT-VALUE}).")
  int holdSeconds;

  @Override
  public Integer call() throws Exception {
    if (blocks < 2 || blocks > 1_000_000 || timeoutSeconds < 1 || holdSeconds < 0) {
      spec.commandLine().getErr().println("peerlink demo: expected --blocks 2-1000000, --timeout-s >= 1 and --hold-s >= 0,"
          + " got --blocks " + blocks + " --timeout-s " + timeoutSeconds + " --hold-s " + holdSeconds);
      return PeerlinkCommand.EXIT_ERROR;
    }
    Logging.demo();
    return new Demo(spec.commandLine().getOut(), blocks, java.time.Duration.ofSeconds(timeoutSeconds),
        java.time.Duration.ofSeconds(holdSeconds)).run();
  }
}
