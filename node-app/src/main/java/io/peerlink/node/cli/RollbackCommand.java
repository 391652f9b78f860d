package io.peerlink.node.cli;

import io.peerlink.node.master.ChainRollback;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code store rollback}: rolls a stopped master's chain back to a block, the repair of a chain
 * that forks from what the network confirms or whose blocks carry a forged epoch. It destroys
 * blocks, so it runs only with {@code --yes}; {@code --dry-run} shows what it would do.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = {"Roll a STOPPED master's store back to block N: keeps blocks up to N, removes every later block"
        + " and the epochs begun after N. The removed blocks come back only by catch-up from peers.",
        "Takes the store's lock (refused while a master runs on it); crash-safe: a crash leaves the old store or the"
            + " rolled-back one. Needs --yes; --dry-run prints what it would do and changes nothing."})
final class RollbackCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  StoreLocation location;

  @Option(names = "--to-block", required = true, paramLabel = "N",
      description = "The block to keep last: from the store's first block to its last; 0 empties a chain that"
          + " starts at block 1.")
  String toBlockText;

  @Option(names = "--dry-run", description = "Print what would change; change nothing.")
  boolean dryRun;

  @Option(names = "--yes", description = "Do it: the blocks after N are removed from this store.")
  boolean yes;

  @Override
  public Integer call() {
    long toBlock;
    try {
      toBlock = StoreCommands.unsigned("--to-block", toBlockText, "a block number");
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage());
    }
    Optional<Path> storage = location.storagePath("store rollback", spec.commandLine().getErr());
    if (storage.isEmpty()) {
      return PeerlinkCommand.EXIT_ERROR;
    }
    try {
      ChainRollback.Change change = ChainRollback.rollback(storage.get(), toBlock, dryRun || !yes);
      if (!dryRun && !yes && change.removedBlocks() > 0) {
        return fail(change.describe() + "; it removes " + change.removedBlocks() + " block(s) from this store, which"
            + " come back only by catch-up from peers: add --yes to do it");
      }
      String line = change.describe();
      if (change.done()) {
        LoggerFactory.getLogger(RollbackCommand.class).info("rollback: {}", line);
      }
      spec.commandLine().getOut().println(line);
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      return fail(e.getMessage());
    }
  }

  private int fail(String message) {
    return StoreCommands.fail(spec, "rollback", message);
  }
}
