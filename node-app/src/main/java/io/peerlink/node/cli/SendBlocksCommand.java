package io.peerlink.node.cli;

import io.peerlink.node.blocks.CommitSender;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.TransportException;
import io.peerlink.transport.api.TransportRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code send-blocks}: feeds synthetic commits to a master's block channel, for demos and tests. */
@Command(name = "send-blocks", mixinStandardHelpOptions = true,
    description = {"Feed commits N..M of epoch E to a master's block channel, for demos and tests.",
        "One CommittedEpochData per global_exec_index on executor_send_socket_path, as the seed's node sends them."})
final class SendBlocksCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The master's block channel, e.g. /tmp/executor0.sock.")
  String endpointText;

  @Option(names = "--epoch", required = true, paramLabel = "E", description = "Epoch of the blocks.")
  long epoch;

  @Option(names = "--from", required = true, paramLabel = "N", description = "First global_exec_index, at least 1.")
  long from;

  @Option(names = "--to", required = true, paramLabel = "M", description = "Last global_exec_index, inclusive.")
  long to;

  /** Commits made and written per step; a large --to must not be held in memory at once. */
  static final long SEND_BATCH = 1_000;

  @Override
  public Integer call() throws InterruptedException {
    if (epoch < 0 || from < 1 || to < from) {
      spec.commandLine().getErr().println("peerlink send-blocks: expected --epoch >= 0 and 1 <= --from <= --to, got "
          + "--epoch " + epoch + " --from " + from + " --to " + to);
      return PeerlinkCommand.EXIT_ERROR;
    }
    try (TransportRegistry transports = TransportRegistry.installed()) {
      Endpoint endpoint;
      try {
        endpoint = transports.endpoint(endpointText).requireConnectable();
      } catch (InvalidEndpointException e) {
        spec.commandLine().getErr().println("peerlink send-blocks: " + e.getMessage());
        return PeerlinkCommand.EXIT_ERROR;
      }
      try (CommitSender sender = CommitSender.connect(transports, endpoint, Duration.ofSeconds(5))) {
        // In batches, each written before the next is made: memory stays bounded for any range.
        for (long start = from; start <= to; start += SEND_BATCH) {
          long end = Math.min(to, start + SEND_BATCH - 1);
          sender.send(CommitSender.syntheticCommits(epoch, start, end), Duration.ofSeconds(30));
        }
      } catch (TransportException e) {
        spec.commandLine().getErr().println("peerlink send-blocks: " + e.getMessage());
        return PeerlinkCommand.EXIT_ERROR;
      }
      spec.commandLine().getOut().println("sent " + (to - from + 1) + " commits (global_exec_index " + from + ".." + to
          + ", epoch " + epoch + ") to " + endpoint);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
