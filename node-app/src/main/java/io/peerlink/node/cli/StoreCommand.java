package io.peerlink.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code store}: repairs on a stopped master's storage. */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = "Repairs on a stopped master's storage (storage_path).",
    subcommands = {SetEpochCommand.class, RollbackCommand.class})
final class StoreCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
