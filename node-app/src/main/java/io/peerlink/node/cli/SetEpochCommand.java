package io.peerlink.node.cli;

import io.peerlink.node.master.EpochReset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code store set-epoch}: sets a stopped master's epoch back (or anywhere), the repair for an
 * epoch a liar moved it to, which {@code advance_epoch} can never undo.
 */
@Command(name = "set-epoch", mixinStandardHelpOptions = true,
    description = {"Set the epoch of a STOPPED master's store (the repair of a poisoned epoch).",
        "Takes the store's lock (refused while a master runs on it), writes one checksummed, fsynced epoch"
            + " reset record that recovery replays, drops the entries of higher epochs, and prints what changed."})
final class SetEpochCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  StoreLocation location;

  @Option(names = "--epoch", required = true, paramLabel = "E", description = "The epoch to set, 0 to 2^64-1.")
  String epochText;

  @Option(names = "--start-ms", paramLabel = "T",
      description = "Its start, ms since the Unix epoch; default: the start the store kept for E.")
  String startText;

  @Override
  public Integer call() {
    long epoch;
    OptionalLong start;
    try {
      epoch = StoreCommands.unsigned("--epoch", epochText, "a number");
      start = startText == null ? OptionalLong.empty() : OptionalLong.of(StoreCommands.unsigned("--start-ms", startText, "a number"));
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage());
    }
    Optional<Path> storage = location.storagePath("store set-epoch", spec.commandLine().getErr());
    if (storage.isEmpty()) {
      return PeerlinkCommand.EXIT_ERROR;
    }
    try {
      EpochReset.Change change = EpochReset.setEpoch(storage.get(), epoch, start);
      String line = change.describe();
      LoggerFactory.getLogger(SetEpochCommand.class).info("set-epoch: {}", line);
      spec.commandLine().getOut().println(line);
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      return fail(e.getMessage());
    }
  }

  private int fail(String message) {
    return StoreCommands.fail(spec, "set-epoch", message);
  }
}
