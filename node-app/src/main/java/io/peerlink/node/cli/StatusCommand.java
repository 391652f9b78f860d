package io.peerlink.node.cli;

import io.peerlink.discovery.core.client.MasterClient;
import io.peerlink.discovery.core.client.MasterStatus;
import io.peerlink.transport.api.Endpoint;
import io.peerlink.transport.api.InvalidEndpointException;
import io.peerlink.transport.api.TransportRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code status ENDPOINT}: one master's epoch, last block and epoch start, on one line. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Print one master's status: ENDPOINT epoch=E block=B epoch_start_ms=T.",
        "Exit 1 when the master cannot be reached or does not answer."})
final class StatusCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ENDPOINT",
      description = "A socket path, unix:///path, tcp://host:port or host:port.")
  String endpointText;

  @Option(names = "--timeout-ms", defaultValue = "5000", paramLabel = "MS",
      description = "How long each request may take (default: ${DEFAULT-VALUE}, the seed's status timeout).")
  long timeoutMs;

  @Option(names = "--json", description = "Print one JSON object {endpoint, epoch, block, epoch_start_ms}; on"
      + " failure {endpoint, error}. The exit code is the same.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    try (TransportRegistry transports = TransportRegistry.installed()) {
      Endpoint endpoint;
      try {
        endpoint = transports.endpoint(endpointText).requireConnectable();
      } catch (InvalidEndpointException e) {
        spec.commandLine().getErr().println("peerlink status: " + e.getMessage());
        if (json) {
          JsonOutput.print(spec.commandLine().getOut(), JsonOutput.object().put("endpoint", endpointText)
              .put("error", e.getMessage()));
        }
        return PeerlinkCommand.EXIT_ERROR;
      }
      Duration timeout = Duration.ofMillis(Math.max(1, timeoutMs));
      // One question after another, each waited for on its future.
      try (MasterClient client = new MasterClient(transports, endpoint, timeout)) {
        MasterStatus status = await(client.status(), timeout);
        long epochStart = await(client.epochStartTimestampMs(status.epoch()), timeout);
        if (json) {
          JsonOutput.print(spec.commandLine().getOut(), JsonOutput.object().put("endpoint", endpoint.toString())
              .put("epoch", JsonOutput.unsigned(status.epoch())).put("block", JsonOutput.unsigned(status.lastBlockNumber()))
              .put("epoch_start_ms", JsonOutput.unsigned(epochStart)));
          return 0;
        }
        spec.commandLine().getOut().println(endpoint + " epoch=" + Long.toUnsignedString(status.epoch())
            + " block=" + Long.toUnsignedString(status.lastBlockNumber())
            + " epoch_start_ms=" + Long.toUnsignedString(epochStart));
        spec.commandLine().getOut().flush();
        return 0;
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String why = "master at " + endpoint + " is unreachable: " + Failures.describe(cause);
        spec.commandLine().getErr().println("peerlink status: " + why);
        if (json) {
          JsonOutput.print(spec.commandLine().getOut(), JsonOutput.object().put("endpoint", endpoint.toString())
              .put("error", why));
        }
        return PeerlinkCommand.EXIT_ERROR;
      }
    }
  }

  // The client's own timeouts end every call; the margin only guards against a lost completion.
  private static <T> T await(CompletableFuture<T> f, Duration timeout)
      throws ExecutionException, TimeoutException, InterruptedException {
    return f.get(timeout.toMillis() * 3 + 1000, TimeUnit.MILLISECONDS);
  }
}
